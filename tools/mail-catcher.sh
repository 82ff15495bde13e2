#!/usr/bin/env bash
# The mail catcher for `npm start` (run.sh) and its test: MailDev, the maildev npm package
# (a devDependency, so node_modules from ensure-tools.sh has it). Why MailDev and not Mailpit:
# docs/decisions/0004-mail-catcher.md.
#   bash tools/mail-catcher.sh SMTP_PORT WEB_PORT MAIL_DIR
# Both ports listen on 127.0.0.1 only (MailDev's defaults are every interface). Messages are kept
# as .eml files in MAIL_DIR, so they survive a restart; the newest 500 are kept. The web inbox is
# http://localhost:WEB_PORT/ and the JSON API http://localhost:WEB_PORT/api/email.
# exec, so that a signal to this script's process reaches MailDev itself (it stops on SIGTERM).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ $# -ne 3 ]]; then
  echo "usage: mail-catcher.sh SMTP_PORT WEB_PORT MAIL_DIR" >&2
  exit 2
fi
maildev="$ROOT/node_modules/.bin/maildev"
[[ -x "$maildev" ]] || {
  echo "mail-catcher: $maildev is missing: run npm ci (or bash tools/ensure-tools.sh)" >&2
  exit 1
}
mkdir -p "$3"
# MailDev logs each email's sender and recipients ("Received: a@x -> b@y"): staff addresses that
# do not belong in a log file. The line is kept, the addresses are not; the mail itself stays in
# MAIL_DIR and the inbox.
exec "$maildev" --ip 127.0.0.1 --smtp "$1" --web-ip 127.0.0.1 --web "$2" \
  --mail-directory "$3" --max-emails 500 \
  > >(exec sed -u -E 's/Received: .*/Received: an email (addresses not logged)/') 2>&1
