# Sourced by scripts/try-on-emulator and bench/run (needs $work, a temp dir the
# caller removes): an environment that reaches only the local emulator, the
# AWS provider from TF_PROVIDER_MIRROR when set, and start_moto, which starts
# moto's server on a free loopback port and exports AWS_ENDPOINT_URL.

# Only the emulator, never a real account: test credentials, no profile.
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export CHECKPOINT_DISABLE=1 CI=1 CDKTF_DISABLE_PLUGIN_CACHE_ENV=1 TF_IN_AUTOMATION=1
if [ -n "${TF_CLI_CONFIG_FILE:-}" ] && [ ! -e "$TF_CLI_CONFIG_FILE" ]; then unset TF_CLI_CONFIG_FILE; fi
if [ -n "${TF_PROVIDER_MIRROR:-}" ]; then
  cat > "$work/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$TF_PROVIDER_MIRROR"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
RC
  export TF_CLI_CONFIG_FILE=$work/terraformrc
fi

moto_pid=
start_moto() {
  moto_server -H 127.0.0.1 -p 0 > "$work/moto.log" 2>&1 &
  moto_pid=$!
  local url=
  for _ in $(seq 100); do
    url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/moto.log" | head -n 1 || true)
    [ -n "$url" ] && curl -fs "$url/moto-api/" >/dev/null && break
    url=
    sleep 0.2
  done
  [ -n "$url" ] || { echo "moto_server did not start: $(cat "$work/moto.log")" >&2; return 1; }
  export AWS_ENDPOINT_URL=$url
}
stop_moto() {
  if [ -n "$moto_pid" ]; then kill "$moto_pid" 2>/dev/null; wait "$moto_pid" 2>/dev/null; fi
  return 0
}
