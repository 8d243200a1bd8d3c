#!/usr/bin/env bash
# Drives DOMAIN.md Process 1 through the HTTP API of a running stack:
# mediation → agreement in three installments → joint application for
# judicial confirmation → court confirms → first installment paid, second
# missed → default after grace → enforcement of the confirmed agreement →
# freeze and dishonest-debtor listing → paid in full → completion with credit
# repair. Every call is a plain curl; python3 only reads fields out of JSON.
#
# Run the stack with compressed case time first (one legal day per second):
#   CASEWORK_TIME_SCALE=86400 make dev
# then, in another terminal:
#   scripts/walkthrough.sh
set -euo pipefail
cd "$(dirname "$0")/.."
API=${API:-http://127.0.0.1:8080}
# shellcheck disable=SC1091
. "${CASEWORK_DATA_DIR:-.data}/tokens.env"

field() { python3 -c 'import json,sys; d=json.load(sys.stdin)
for k in sys.argv[1].split("."): d=d[int(k)] if k.isdigit() else d[k]
print(d)' "$1"; }

# call METHOD PATH TOKEN [BODY]: prints the answer; fails on a non-2xx status.
call() {
  local out status
  out=$(curl -sS -X "$1" "$API$2" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' \
    ${4:+-d "$4"} -w '\n%{http_code}')
  status=${out##*$'\n'}
  out=${out%$'\n'*}
  if [[ $status != 2* ]]; then
    echo "$1 $2 -> $status: $out" >&2
    return 1
  fi
  printf '%s' "$out"
}

say() { printf '\n== %s\n' "$*"; }

number="（$(date +%Y)）黔2301民诉前调$(date +%s)号"
say "court delegates $number to mediation"
c=$(call POST /cases/mediation "$COURT_TOKEN" '{"case_number":"'"$number"'","organisation":"兴义市人民调解委员会",
  "mediator":"mediator-wang","subject":"拖欠工程款","claim_fen":1302700,
  "parties":[{"id":"zhang-san","name":"张三","side":"applicant"},{"id":"xx-construction","name":"某建筑公司","side":"respondent"}]}')
ID=$(field summary.id <<<"$c")
today=$(field mediation.case_today <<<"$c")
echo "case $ID opened on $today, mediation deadline $(field mediation.deadline <<<"$c")"

# Due dates 5, 9 and 13 legal days after the agreement.
due() { python3 -c 'import datetime,sys; print(datetime.date.fromisoformat(sys.argv[1])+datetime.timedelta(days=int(sys.argv[2])))' "$today" "$1"; }
say "mediator records the agreement: 13,027 yuan in three installments"
c=$(call POST "/cases/$ID/outcome" "$MEDIATOR_TOKEN" '{"outcome":"agreed","terms":{"obligor":"xx-construction",
  "obligees":["zhang-san"],"total_fen":1302700,"installments":[
  {"due_on":"'"$(due 5)"'","amount_fen":400000},{"due_on":"'"$(due 9)"'","amount_fen":450000},
  {"due_on":"'"$(due 13)"'","amount_fen":452700}]}}')
echo "stage $(field summary.stage <<<"$c"); apply for confirmation by $(field mediation.confirmation.apply_by <<<"$c")"

say "both parties apply for judicial confirmation; the court accepts and confirms"
call POST "/cases/$ID/confirmation/applications" "$PARTY_TOKEN" '{}' >/dev/null
call POST "/cases/$ID/confirmation/applications" "$RESPONDENT_TOKEN" '{}' >/dev/null
call POST "/cases/$ID/confirmation/acceptance" "$COURT_TOKEN" '{}' >/dev/null
c=$(call POST "/cases/$ID/confirmation/decision" "$COURT_TOKEN" '{"decision":"confirmed"}')
echo "stage $(field summary.stage <<<"$c")"

say "the first installment is paid"
for _ in $(seq 50); do plan=$(call GET "/cases/$ID/plans/performance" "$COURT_TOKEN" 2>/dev/null) && break; sleep 0.2; done
p=$(call POST "/cases/$ID/plans/performance/payments" "$MEDIATOR_TOKEN" \
  '{"amount_fen":400000,"paid_on":"'"$(field case_today <<<"$plan")"'","reason":"第一期 银行转账"}')
echo "installment 1: $(field installments.0.state <<<"$p")"

say "the second installment is missed; waiting for the default after grace and the late-recording window (about 25 s)"
for _ in $(seq 60); do
  stage=$(field summary.stage <<<"$(call GET "/cases/$ID" "$AUDITOR_TOKEN")")
  [[ $stage == defaulted ]] && break
  sleep 1
done
echo "stage $stage"
call GET "/cases/$ID/notices" "$AUDITOR_TOKEN" | python3 -c 'import json,sys
for n in json.load(sys.stdin)["notices"]: print(" notice", n["kind"], "installment", n["installment"], "to", n["recipient"], "delivered" if n.get("delivered_at") else "pending")'

say "the court enforces the confirmed agreement"
e=$(call POST /cases/enforcement "$COURT_TOKEN" '{"case_number":"（'"$(date +%Y)"'）黔2301执'"$(date +%s)"'号",
  "title":{"kind":"confirmed_mediation_agreement","document_number":"（'"$(date +%Y)"'）黔2301民特12号",
    "document_date":"'"$(field mediation.confirmation.decided_on <<<"$c")"'","source_case_id":"'"$ID"'"},
  "applicant":"zhang-san","respondent":"xx-construction","amount_fen":902700,
  "parties":[{"id":"zhang-san","name":"张三","side":"applicant"},{"id":"xx-construction","name":"某建筑公司","side":"respondent"}]}')
EID=$(field summary.id <<<"$e")
echo "enforcement case $EID; application window closes $(field enforcement.window.closes_on <<<"$e")"
call POST "/cases/$EID/enforcement/inquiries" "$COURT_TOKEN" \
  '{"found":true,"findings":[{"asset_kind":"bank_deposit","description":"某银行基本账户","value_fen":950000}]}' >/dev/null
m=$(call POST "/cases/$EID/enforcement/measures" "$COURT_TOKEN" '{"kind":"freeze","asset_kind":"bank_deposit","description":"某银行基本账户"}')
echo "freeze ordered; expires $(field enforcement.measures.0.expires_on <<<"$m") unless renewed"
call POST "/cases/$EID/enforcement/measures" "$COURT_TOKEN" '{"kind":"dishonest_list","reason":"有履行能力而拒不履行"}' >/dev/null

say "the rest is collected: enforcement completed, the debtor's credit repaired"
d=$(call POST "/cases/$EID/enforcement/payments" "$COURT_TOKEN" \
  '{"amount_fen":902700,"paid_on":"'"$(field enforcement.case_today <<<"$m")"'","reason":"扣划存款"}')
echo "stage $(field enforcement.stage <<<"$d"); credit repair: $(field enforcement.credit_repair.grade <<<"$d")"

say "the auditor's timeline of the mediation case, and its verification"
call GET "/cases/$ID/timeline" "$AUDITOR_TOKEN" | python3 -c 'import json,sys
for e in json.load(sys.stdin)["timeline"]:
    if e["source"] == "case": print(" ", e.get("case_on",""), e["stream"].ljust(17), e["kind"].ljust(32), e["actor"]["subject"], "/", e["actor"]["role"])'
echo "intact: $(field intact <<<"$(call GET "/cases/$ID/timeline/verify" "$AUDITOR_TOKEN")")"
