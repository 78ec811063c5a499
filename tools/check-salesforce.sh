#!/usr/bin/env bash
# npm run salesforce:check: what can be checked of salesforce/ without an org.
#  1. The Salesforce CLI converts each deploy the READMEs give to Metadata API format (`sf project convert source`):
#     basic mode's force-app, AppLink mode's manifest and applink directory, and catalog-from-salesforce (either mode,
#     when the catalog follows Salesforce). Unknown metadata types, misplaced files and bad suffixes fail here. It does not check elements, values or API versions; the tests do that.
#  2. The Flow scanner finds no error-level problem in any flow.
# Both tools come from the npm registry into a cache folder, once, outside the project's dependencies: the CLI is
# about 300 MB, and the scanner's engines field stops at Node 23 (it runs on 24).
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/.."
source tools/use-node-24.sh

SF_CLI_VERSION=2.150.6
# Pinned exactly: ^6.6.0 resolves to 6.19.3, which depends on a package the registry does not have.
FLOW_SCANNER_VERSION=6.6.0
tools_dir="${XDG_CACHE_HOME:-$HOME/.cache}/flowcart/salesforce-tools-$SF_CLI_VERSION-$FLOW_SCANNER_VERSION"
if [ ! -x "$tools_dir/node_modules/.bin/sf" ] || [ ! -d "$tools_dir/node_modules/@flow-scanner" ]; then
  mkdir -p "$tools_dir"
  # The install scripts these packages run, approved where npm 11 looks for approvals of this folder's install.
  echo '{"private": true, "allowScripts": {"@salesforce/cli": true, "yarn": true, "protobufjs": true}}' \
    >"$tools_dir/package.json"
  echo "installing @salesforce/cli $SF_CLI_VERSION and the Flow scanner $FLOW_SCANNER_VERSION into $tools_dir" >&2
  npm install --prefix "$tools_dir" --no-audit --no-fund --loglevel=error \
    "@salesforce/cli@$SF_CLI_VERSION" "@flow-scanner/lightning-flow-scanner-core@$FLOW_SCANNER_VERSION" >&2
fi

export SF_DISABLE_TELEMETRY=true SF_AUTOUPDATE_DISABLE=true SF_USE_GENERIC_UNIX_KEYCHAIN=true
# Converts one deploy the READMEs give: $1 names it, the rest are the flags that choose its components.
convert() {
  local name="$1" out
  shift
  out="$(mktemp -d)"
  (cd salesforce && "$tools_dir/node_modules/.bin/sf" project convert source "$@" \
    --output-dir "$out/mdapi" --json >"$out/convert.json") || {
    cat "$out/convert.json"
    echo "sf project convert source ($name) failed"
    exit 1
  }
  converted_count="$(grep -c '<members>' "$out/mdapi/package.xml")"
  echo "sf project convert source ($name): $converted_count components converted"
}
convert "basic mode" --source-dir force-app
convert "AppLink mode, before publish" --manifest manifest/applink-mode.xml
# The CLI skips a manifest member it cannot find without a word, so count them.
listed="$(grep -c '<members>' salesforce/manifest/applink-mode.xml)"
if [ "$converted_count" != "$listed" ]; then
  echo "manifest/applink-mode.xml lists $listed components, $converted_count exist"
  exit 1
fi
convert "AppLink mode, after publish" --source-dir applink
convert "catalog from Salesforce" --source-dir catalog-from-salesforce

node tools/scan-flows.mjs "$tools_dir" salesforce/flow-scanner.json salesforce/force-app/main/default/flows/*.flow-meta.xml
