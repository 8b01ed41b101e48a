#!/usr/bin/env bash
# The one way this project reaches moto's AWS emulator and the provider
# mirror, for the scripts (sourced) and for the Go end-to-end tests (run):
#
#   . scripts/emulator.sh                        # then the functions below
#   scripts/emulator.sh terraform-env DIR        # write DIR/env: the environment after terraform_env
#   scripts/emulator.sh start DIR                # start moto; write DIR/env (after terraform_env,
#                                                # emulator_env and start_moto) and DIR/moto.pid
#
# DIR/env is the whole environment, NUL-separated (env -0). The caller stops
# moto by the PID in DIR/moto.pid; moto logs to DIR/moto.log.

# drop_missing_cli_config: a TF_CLI_CONFIG_FILE that names a missing file
# makes terraform warn on every command; forget it.
drop_missing_cli_config() {
  if [ -n "${TF_CLI_CONFIG_FILE:-}" ] && [ ! -e "$TF_CLI_CONFIG_FILE" ]; then
    unset TF_CLI_CONFIG_FILE
  fi
  return 0
}

# terraform_env DIR: terraform and the cdktf CLI without HashiCorp's version
# check, and, when TF_PROVIDER_MIRROR names a provider filesystem mirror, a
# CLI configuration (DIR/terraformrc) that installs hashicorp/aws from it and
# everything else as usual.
terraform_env() {
  local dir=$1
  drop_missing_cli_config
  export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
  if [ -n "${TF_PROVIDER_MIRROR:-}" ]; then
    if [ ! -d "$TF_PROVIDER_MIRROR/registry.terraform.io/hashicorp/aws" ]; then
      echo "TF_PROVIDER_MIRROR=$TF_PROVIDER_MIRROR holds no registry.terraform.io/hashicorp/aws" >&2
      return 1
    fi
    cat > "$dir/terraformrc" <<RC
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
    export TF_CLI_CONFIG_FILE=$dir/terraformrc
  fi
}

# emulator_env: only the emulator, never a real account: test credentials, no
# profile, no instance metadata; the CLI prints plain output.
emulator_env() {
  unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE
  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
  export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
  export CI=1 CDKTF_DISABLE_PLUGIN_CACHE_ENV=1
}

# start_moto DIR: moto_server on 127.0.0.1 with a port of the kernel's choosing,
# ready when GET /moto-api/ answers; exports AWS_ENDPOINT_URL, sets moto_pid.
moto_pid=
start_moto() {
  local dir=$1 url=
  moto_server -H 127.0.0.1 -p 0 > "$dir/moto.log" 2>&1 < /dev/null &
  moto_pid=$!
  for _ in $(seq 150); do
    url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$dir/moto.log" | head -n 1 || true)
    [ -n "$url" ] && curl -fs "$url/moto-api/" > /dev/null && break
    url=
    kill -0 "$moto_pid" 2> /dev/null || break
    sleep 0.2
  done
  if [ -z "$url" ]; then
    echo "moto_server did not start within 30 s: $(cat "$dir/moto.log")" >&2
    stop_moto
    return 1
  fi
  export AWS_ENDPOINT_URL=$url
}

stop_moto() {
  if [ -n "$moto_pid" ]; then
    kill "$moto_pid" 2> /dev/null && wait "$moto_pid" 2> /dev/null
    moto_pid=
  fi
  return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  command=${1:-} dir=${2:-}
  [ -n "$dir" ] && [ -d "$dir" ] || { echo "usage: $0 terraform-env|start DIR (an existing directory)" >&2; exit 2; }
  case "$command" in
    terraform-env) terraform_env "$dir" ;;
    start)
      command -v moto_server > /dev/null || { echo "moto_server is not on PATH (pip install 'moto[server]')" >&2; exit 3; }
      terraform_env "$dir"
      emulator_env
      start_moto "$dir"
      echo "$moto_pid" > "$dir/moto.pid"
      ;;
    *) echo "usage: $0 terraform-env|start DIR" >&2; exit 2 ;;
  esac
  env -0 > "$dir/env"
fi
