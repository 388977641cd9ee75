#!/usr/bin/env bash
# AutoBlog quick start: the API from a tenant's first minute, with curl and jq.
#
# Creates a tenant (admin API), mints a token for it, and then, as that tenant, sets the brand,
# creates and updates a content item, uploads and lists a file, and reads the tenant's health.
# Prints each request and the interesting part of each answer; stops with a non-zero exit code
# at the first unexpected answer.
#
# Usage: examples/quickstart.sh
#   BASE_URL     the server (default http://127.0.0.1:8080, where `make run` listens)
#   ADMIN_TOKEN  the operator token; default: $AUTOBLOG_ADMIN_TOKEN, else the token file that
#                `make run` generated (<data dir>/secrets/admin_token, data dir
#                $AUTOBLOG_DATA_DIR or ./var of this checkout)
# Needs curl and jq (Debian: apt-get install curl jq).
set -euo pipefail

BASE_URL=${BASE_URL:-http://127.0.0.1:8080}
BASE_URL=${BASE_URL%/}

die() {
  echo "quickstart: $*" >&2
  exit 1
}

for tool in curl jq; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (apt-get install $tool)"
done

admin_token() {
  if [ -n "${ADMIN_TOKEN:-}" ]; then
    printf '%s' "$ADMIN_TOKEN"
  elif [ -n "${AUTOBLOG_ADMIN_TOKEN:-}" ]; then
    printf '%s' "$AUTOBLOG_ADMIN_TOKEN"
  else
    local data_dir=${AUTOBLOG_DATA_DIR:-"$(cd "$(dirname "$0")/.." && pwd)/var"}
    local file="$data_dir/secrets/admin_token"
    [ -r "$file" ] || die "no admin token: set ADMIN_TOKEN, or run this as the user that ran \`make run\` (it reads $file)"
    tr -d ' \t\r\n' <"$file"
  fi
}
ADMIN=$(admin_token)

# api EXPECTED_STATUS METHOD PATH TOKEN [curl args...]: one request; its body goes to $BODY.
# Any other status (or no answer at all) ends the script with the server's error message.
BODY=
api() {
  local expected=$1 method=$2 path=$3 token=$4
  shift 4
  echo "--> $method $path" >&2
  local out
  out=$(curl -sS -X "$method" "$BASE_URL$path" -H "Authorization: Bearer $token" \
    -w '\n%{http_code}' "$@") || die "$method $path: no answer from $BASE_URL (is the server running?)"
  local status=${out##*$'\n'}
  BODY=${out%$'\n'*}
  if [ "$status" != "$expected" ]; then
    local why
    why=$(jq -r '.error | "\(.code): \(.message)"' <<<"$BODY" 2>/dev/null || printf '%s' "$BODY")
    die "$method $path answered HTTP $status, expected $expected ($why)"
  fi
}

# check JQ_FILTER WHAT: the last answer must satisfy the filter.
check() {
  jq -e "$1" >/dev/null <<<"$BODY" || die "unexpected answer ($2): $BODY"
}

step() { printf '\n== %s\n' "$*"; }

step "Is the server up?"
curl -sS -f "$BASE_URL/health" >/dev/null || die "no healthy server at $BASE_URL (start one with \`make run\`)"
echo "$BASE_URL/health: ok"

suffix=$(date +%s)-$RANDOM
step "Create a tenant (admin API)"
api 201 POST /v1/admin/tenants "$ADMIN" -H 'Content-Type: application/json' \
  -d "{\"name\": \"Quickstart Coffee $suffix\", \"domain\": \"quickstart-$suffix.example\", \"subscription_tier\": \"growth\"}"
check '.status == "active" and .subscription_tier == "growth"' "new tenant"
TENANT_ID=$(jq -r .id <<<"$BODY")
jq -c '{id, name, domain, subscription_tier, status}' <<<"$BODY"

step "Mint a token for the tenant (valid one hour)"
api 201 POST "/v1/admin/tenants/$TENANT_ID/tokens" "$ADMIN" -H 'Content-Type: application/json' \
  -d '{"ttl_seconds": 3600}'
TOKEN=$(jq -r .token <<<"$BODY")
[ -n "$TOKEN" ] && [ "$TOKEN" != null ] || die "no token in $BODY"
jq -c '{expires_at, token: (.token[0:16] + "...")}' <<<"$BODY"

step "The tenant sees itself, its limits and its usage"
api 200 GET /v1/tenant "$TOKEN"
check '.id == "'"$TENANT_ID"'"' "GET /v1/tenant"
jq -c '{name, limits: {requests_per_hour: .limits.requests_per_hour, max_daily_content: .limits.max_daily_content}, usage}' <<<"$BODY"

step "Set the brand"
api 200 PUT /v1/brand "$TOKEN" -H 'Content-Type: application/json' -d '{
  "voice_tone": {"tone": "warm", "person": "we", "notes": "short sentences"},
  "topics": ["home espresso", "coffee gear"],
  "seo_strategy": {"keywords": ["espresso machine"], "min_overall": 70}}'
check '.topics == ["home espresso", "coffee gear"]' "brand"
jq -c '{voice_tone, topics, seo_strategy}' <<<"$BODY"

step "Create a content item from an idea"
api 201 POST /v1/content "$TOKEN" -H 'Content-Type: application/json' \
  -d '{"inspiration_data": {"idea": "Dialling in a new espresso grinder", "source": "quickstart"}}'
check '.status == "inspiration"' "new content item"
CONTENT_ID=$(jq -r .id <<<"$BODY")
jq -c '{id, status, inspiration_data}' <<<"$BODY"

step "Give it a brief and move it on to \"briefed\""
api 200 PATCH "/v1/content/$CONTENT_ID" "$TOKEN" -H 'Content-Type: application/json' -d '{
  "content_brief": {"title": "Dial in your grinder in five shots", "audience": "beginners", "words": 900},
  "status": "briefed"}'
check '.status == "briefed" and .content_brief.words == 900' "updated content item"
jq -c '{id, status, content_brief, updated_at}' <<<"$BODY"

step "Generate the article (a job; with no AI endpoint configured the offline template provider writes it)"
api 202 POST "/v1/content/$CONTENT_ID/generate" "$TOKEN"
JOB_ID=$(jq -r .job.id <<<"$BODY")
jq -c '.job | {id, kind, state, priority}' <<<"$BODY"
state=queued
for _ in $(seq 1 120); do
  api 200 GET "/v1/jobs/$JOB_ID" "$TOKEN"
  state=$(jq -r .state <<<"$BODY")
  case $state in queued | running) sleep 0.5 ;; *) break ;; esac
done
[ "$state" = succeeded ] || die "the generation job ended $state: $(jq -c '{state, last_error}' <<<"$BODY")"
api 200 GET "/v1/content/$CONTENT_ID" "$TOKEN"
check '.status == "generated" and (.generated_content.title | length > 0)' "generated item"
jq -c '{status, title: .generated_content.title, slug: .generated_content.slug,
  scores: (.quality_scores | {word_count, flesch_reading_ease, overall, passes}),
  image: .visual_assets.hero.url, written_by: (.generation | {provider, model})}' <<<"$BODY"

step "Approve it after review"
api 200 POST "/v1/content/$CONTENT_ID/approve" "$TOKEN"
check '.status == "approved"' "approved item"
jq -c '{id, status}' <<<"$BODY"

step "Upload a file"
api 201 PUT /v1/files/quickstart/hello.txt "$TOKEN" -H 'Content-Type: text/plain' \
  --data-binary 'Hello from the AutoBlog quick start.'
check '.key == "quickstart/hello.txt" and .size == 36' "stored object"
jq -c . <<<"$BODY"

step "List the files under quickstart/"
api 200 GET '/v1/files?prefix=quickstart/' "$TOKEN"
check '[.items[].key] == ["quickstart/hello.txt"]' "file listing"
jq -c '{keys: [.items[].key], next_cursor}' <<<"$BODY"

step "Read the tenant's health"
api 200 GET "/health/tenant/$TENANT_ID" "$TOKEN"
check '.tenant_id == "'"$TENANT_ID"'" and (.status == "healthy" or .status == "degraded")' "tenant health"
jq -c . <<<"$BODY"

printf '\nQuick start done: tenant %s, content item %s.\n' "$TENANT_ID" "$CONTENT_ID"
printf 'Try it yourself:\n  curl -s %s/v1/content -H "Authorization: Bearer %s" | jq .\n' \
  "$BASE_URL" "$TOKEN"
