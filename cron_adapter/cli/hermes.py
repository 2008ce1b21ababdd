"""`cron-adapter hermes install-plugin`: make cron-adapter hermes-agent's cron scheduler provider."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cron_adapter import constants as c
from cron_adapter.cli.common import fail
from cron_adapter.cli.errors import command
from cron_adapter.cli.jobsargs import add_output_arg

EPILOG = """examples:
  cron-adapter hermes install-plugin --bucket my-cron-adapter-jobs --region eu-west-1
  cron-adapter hermes install-plugin --hermes-home /srv/hermes --name cron_adapter \\
      --bucket my-cron-adapter-jobs --audience agent:prod --issuer https://cron.example.com \\
      --public-key-file fire-key.pem --write-config

What it does:
  1. copies the provider into $HERMES_HOME/plugins/<name>/ (an older copy of ours is replaced);
  2. makes boto3 importable in hermes's interpreter (found from the `hermes` script's
     shebang, or --hermes-python), with `python -m pip install boto3` if it is missing;
  3. prints the config.yaml keys, or with --write-config sets them through
     `hermes config set --force` (the rest of config.yaml is kept).
The public key is what `cron-adapter keys public --format pem` prints.

exit codes: 0 installed, 2 bad arguments (e.g. a reserved name), 3 installed but boto3 or
the config could not be set (the message says how to finish by hand)."""
DESCRIPTION = """\
Make cron-adapter hermes-agent's cron scheduler provider: EventBridge Scheduler fires
hermes's cron jobs, through hermes's own signed POST /api/cron/fire webhook, so the hermes
process can scale to zero between runs. `install-plugin` installs the provider into a
hermes home (docs/hermes.md walks through the whole setup)."""


def register(sub: argparse._SubParsersAction) -> None:
    """Add the hermes command and its install-plugin subcommand."""
    p = sub.add_parser(
        "hermes",
        help="use cron-adapter as hermes-agent's cron scheduler provider",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = p.add_subparsers(dest="hermes_command", metavar="ACTION", required=True)
    i = actions.add_parser(
        "install-plugin",
        help="install the provider plugin into a hermes home and print its config.yaml keys",
        description="Install cron-adapter's provider plugin into $HERMES_HOME/plugins/<name>/.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    i.add_argument("--hermes-home", metavar="DIR", help="hermes home (default: $HERMES_HOME, else ~/.hermes)")
    i.add_argument("--name", default="cron_adapter", help="provider name = plugin directory (default cron_adapter)")
    i.add_argument("--bucket", help=f"the stack's jobs bucket (env {c.ENV_BUCKET})")
    i.add_argument("--key", default=c.DEFAULT_JOBS_KEY, help=f"jobs object key (default {c.DEFAULT_JOBS_KEY})")
    i.add_argument("--region", help="AWS region of the bucket (default: boto3's own)")
    i.add_argument("--audience", help="cron.chronos.expected_audience: the aud every fire token carries")
    i.add_argument("--issuer", help='cron.chronos.portal_url: the iss every fire token carries ("" skips the check)')
    i.add_argument("--public-key-file", metavar="PEM", help="fire-token public key (cron-adapter keys public)")
    i.add_argument("--hermes-bin", metavar="PATH", help="the hermes command (default: hermes on PATH)")
    i.add_argument("--hermes-python", metavar="PATH", help="hermes's Python interpreter (default: from hermes)")
    i.add_argument("--skip-boto3", action="store_true", help="do not check or install boto3 in hermes's Python")
    i.add_argument("--write-config", action="store_true", help="set the keys with `hermes config set`")
    add_output_arg(i)
    i.set_defaults(func=run_install)


@command
def run_install(args: argparse.Namespace) -> int:
    """Install the plugin, boto3 and (optionally) the config keys; print what was done."""
    import os

    from cron_adapter.hermes import install as inst

    bucket = args.bucket or os.environ.get(c.ENV_BUCKET) or None
    pem = None
    if args.public_key_file:
        try:
            pem = Path(args.public_key_file).read_text()
        except OSError as exc:
            return fail(f"cannot read --public-key-file {args.public_key_file}: {exc.strerror}", 2)
    config = inst.PluginConfig(args.name, bucket, args.key, args.region, args.audience, args.issuer, pem)
    home = inst.hermes_home(args.hermes_home)
    try:
        target = inst.install_files(home, args.name)
    except inst.InstallError as exc:
        return fail(str(exc), 2)
    report: dict[str, object] = {"plugin_dir": str(target), "config_yaml": config.yaml(), "boto3": "skipped"}
    code = 0
    try:
        if not args.skip_boto3:
            python = inst.hermes_python(args.hermes_python, args.hermes_bin)
            if python is None:
                raise inst.InstallError(
                    "cannot find hermes's Python; fix: pass --hermes-python, or --skip-boto3 if boto3 is there"
                )
            print(f"checking boto3 in {python} ...", file=sys.stderr)
            report["boto3"] = inst.ensure_boto3(python)
        if args.write_config:
            report["config_written"] = inst.write_config(config, home, args.hermes_bin)
    except inst.InstallError as exc:
        print(f"error: {exc}", file=sys.stderr)
        code = 3
    _print(report, config, args.output, bucket)
    return code


def _print(report: dict[str, object], config: object, output: str, bucket: str | None) -> None:
    if output == "json":
        print(json.dumps(report, indent=2))
        return
    print(f"installed the provider plugin in {report['plugin_dir']} (boto3: {report['boto3']})")
    if report.get("config_written"):
        print("set in config.yaml: " + ", ".join(str(k) for k in report["config_written"]))  # type: ignore[attr-defined]
    else:
        print("add to $HERMES_HOME/config.yaml:\n")
        print(report["config_yaml"])
    if not bucket:
        print("note: no --bucket given; the provider stays unavailable until cron.<name>.bucket is set")
