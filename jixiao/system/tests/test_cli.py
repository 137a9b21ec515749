"""The command line says whose tool it is: the server operator's, with every permission."""

from __future__ import annotations

import getpass

import pytest
from django.core.management import get_commands, load_command_class

from jixiao.cli import main

NOTE = "jixiao 命令行是服务器运维人员的工具：它以全部权限操作"


def ours() -> list[tuple[str, str]]:
    return sorted((name, app) for name, app in get_commands().items() if app.startswith("jixiao"))


def test_jixiao_help_starts_with_the_operator_note(capsys):
    main(["--help"])

    out = capsys.readouterr().out
    assert out.startswith(NOTE)
    assert f"操作人记为“命令行（{getpass.getuser()}）”" in out.splitlines()[0]
    assert "jixiao serve" in out and "jixiao backup / restore" in out
    assert "Available subcommands:" in out  # Django's list follows


@pytest.mark.parametrize(("name", "app"), ours(), ids=[name for name, _ in ours()])
def test_every_command_of_ours_says_so_in_its_help(name, app):
    command = load_command_class(app, name)

    text = command.create_parser("jixiao", name).format_help()

    assert "".join(NOTE.split()) in "".join(text.split())  # argparse wraps the epilog
    assert "审计日志" in text


def test_our_production_commands_are_there():
    assert {"serve", "backup", "restore", "audit", "demo"} <= {name for name, _ in ours()}
