"""hccl_tools.py (the model folders' shared scripts/ copy, run through scripts/hccl_tools.py): rank tables made
from hccn.conf files (exact JSON), make -> check round trips, one server's ranks, and broken tables reported as
one ``error:`` line with exit status 2 (CLI) or a UsageError (function)."""
from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT

import hccl_tools  # scripts/ is on sys.path through conftest
from hccl_tools import UsageError, check_rank_table

SCRIPT = os.path.join(ROOT, "scripts", "hccl_tools.py")


def run_cli(*args: str, cwd: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, SCRIPT, *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def assert_cli_error(proc: subprocess.CompletedProcess, subject: str, message: str) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {subject}: ") and message in lines[0], proc.stderr


def write_hccn_conf(path, server: int, devices=range(8)) -> str:
    """An hccn.conf as on an Ascend server: address, netmask and detection lines for each device."""
    lines = ["# hccn_tool settings"]
    for d in devices:
        lines += [f"address_{d}=192.168.10{d}.{server}", f"netmask_{d}=255.255.255.0",
                  f"netdetect_{d}=192.168.10{d}.254"]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def device(device_id: int, server: int, rank: int) -> dict:
    return {"device_id": str(device_id), "device_ip": f"192.168.10{device_id}.{server}", "rank_id": str(rank)}


def table(servers: list[tuple[str, list[dict]]]) -> dict:
    return {"version": "1.0", "server_count": str(len(servers)),
            "server_list": [{"server_id": s, "device": d, "host_nic_ip": "reserve"} for s, d in servers],
            "status": "completed"}


TWO_SERVERS_4_7 = table([("10.0.0.1", [device(d, 1, i) for i, d in enumerate(range(4, 8))]),
                         ("10.0.0.2", [device(d, 2, 4 + i) for i, d in enumerate(range(4, 8))])])


def test_parse_devices_and_compact():
    assert hccl_tools.parse_devices("0-7") == list(range(8))
    assert hccl_tools.parse_devices("0,1,2,3") == [0, 1, 2, 3]
    assert hccl_tools.parse_devices("4-7") == [4, 5, 6, 7]
    assert hccl_tools.parse_devices("6, 0-1") == [0, 1, 6]
    assert hccl_tools.compact([0, 1, 2, 3, 6]) == "0-3,6"
    for spec, message in (("0-8", "device 8 is not one of 0..7"), ("3-1", "range 3-1 is empty"),
                          ("0-3,2", "device 2 is given twice"), ("a", "ranges expected")):
        with pytest.raises(UsageError, match=message):
            hccl_tools.parse_devices(spec)


def test_read_hccn_conf(tmp_path):
    conf = write_hccn_conf(tmp_path / "hccn.conf", 1, devices=[0, 1])
    assert hccl_tools.read_hccn_conf(conf) == {0: "192.168.100.1", 1: "192.168.101.1"}
    (tmp_path / "bad.conf").write_text("address_0=192.168.100.1\naddress_0=192.168.100.2\n")
    with pytest.raises(UsageError, match="line 2: address_0 is already on line 1"):
        hccl_tools.read_hccn_conf(str(tmp_path / "bad.conf"))


def test_make_one_server_exact_json(tmp_path):
    conf = write_hccn_conf(tmp_path / "hccn.conf", 1)
    proc = run_cli("make", "--server", f"10.0.0.1:{conf}", "--devices", "0-3", cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "hccl_4p_0123_10.0.0.1.json" in proc.stdout and "rank size 4" in proc.stdout
    made = json.loads((tmp_path / "hccl_4p_0123_10.0.0.1.json").read_text())
    assert made == table([("10.0.0.1", [device(d, 1, d) for d in range(4)])])
    assert list(made) == ["version", "server_count", "server_list", "status"]
    assert [f for f in os.listdir(tmp_path) if ".tmp" in f] == []


def test_make_two_servers_exact_json_and_round_trip(tmp_path):
    confs = [write_hccn_conf(tmp_path / f"hccn_{s}.conf", s) for s in (1, 2)]
    proc = run_cli("make", "--server", f"10.0.0.1:{confs[0]}", "--server", f"10.0.0.2:{confs[1]}",
                   "--devices", "4-7", cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "hccl_8p_4567_10.0.0.1.json"
    assert json.loads(out.read_text()) == TWO_SERVERS_4_7
    assert check_rank_table(str(out), devices_per_server=4, rank_size=8) == {
        "servers": 2, "server_ids": ["10.0.0.1", "10.0.0.2"], "devices_per_server": 4, "rank_size": 8}
    proc = run_cli("check", str(out), "--rank_size", "8", "--devices_per_server", "4", cwd=str(tmp_path))
    assert proc.returncode == 0 and "x 4 devices, rank size 8" in proc.stdout, proc.stderr


def test_make_with_device_ips_and_out(tmp_path):
    out = tmp_path / "table.json"
    proc = run_cli("make", "--server", "10.0.0.1", "--devices", "2,3", "--device_ips",
                   "10.0.0.1=192.168.102.1,192.168.103.1", "--out", str(out), cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out.read_text()) == table([("10.0.0.1", [device(2, 1, 0), device(3, 1, 1)])])


def test_make_errors(tmp_path):
    conf = write_hccn_conf(tmp_path / "hccn.conf", 1, devices=range(3))
    assert_cli_error(run_cli("make", "--server", f"10.0.0.1:{conf}", "--devices", "0-3", cwd=str(tmp_path)),
                     conf, "device 3 has no address_3 (server 10.0.0.1)")
    assert_cli_error(run_cli("make", "--server", "10.0.0.1", "--server", f"10.0.0.2:{conf}", cwd=str(tmp_path)),
                     "--server 10.0.0.1", "give a copy of each one's hccn.conf")
    assert_cli_error(run_cli("make", "--server", "10.0.0.1", "--devices", "0-1", "--device_ips",
                             "10.0.0.1=192.168.100.1", cwd=str(tmp_path)),
                     "--device_ips 10.0.0.1", "1 addresses for 2 devices (0-1)")
    assert os.listdir(tmp_path) == ["hccn.conf"]


def broken(change) -> dict:
    bad = copy.deepcopy(TWO_SERVERS_4_7)
    change(bad)
    return bad


def _set(obj: dict, key: str, value) -> None:
    obj[key] = value


def _devices(t: dict, server: int) -> list:
    return t["server_list"][server]["device"]


BROKEN = {
    "duplicate device id": (broken(lambda t: _set(_devices(t, 1)[1], "device_id", "4")), {},
                            "server 10.0.0.2: device id 4 appears twice"),
    "duplicate device ip": (broken(lambda t: _set(_devices(t, 0)[3], "device_ip", "192.168.104.1")), {},
                            "server 10.0.0.1: device 4 and server 10.0.0.1: device 7 have the same device_ip "
                            "192.168.104.1"),
    "device ip of another server": (broken(lambda t: _set(_devices(t, 1)[0], "device_ip",
                                                          _devices(t, 0)[0]["device_ip"])), {},
                                    "server 10.0.0.1: device 4 and server 10.0.0.2: device 4 have the same device_ip"),
    "missing rank": (broken(lambda t: _set(_devices(t, 1)[1], "rank_id", "9")), {},
                     "rank ids 0..7 expected, missing 5, unexpected 9"),
    "duplicated rank": (broken(lambda t: _set(_devices(t, 1)[1], "rank_id", "4")), {},
                        "rank ids 0..7 expected, missing 5, duplicated 4"),
    "count mismatch": (broken(lambda t: _devices(t, 1).pop()), {}, "server 10.0.0.2 has 3 devices, "
                                                                   "server 10.0.0.1 has 4"),
    "rank_size mismatch": (TWO_SERVERS_4_7, {"rank_size": 16}, "rank size 8 (2 servers x 4 devices), 16 expected"),
    "devices_per_server mismatch": (TWO_SERVERS_4_7, {"devices_per_server": 8}, "4 devices per server, 8 expected"),
    "server_count wrong": (broken(lambda t: _set(t, "server_count", "3")), {},
                           "server_count is 3 but server_list has 2 servers"),
    "server_count a number": (broken(lambda t: _set(t, "server_count", 2)), {},
                              "server_count 2 is not an integer written as a string"),
    "wrong version": (broken(lambda t: _set(t, "version", "1.2")), {}, 'version "1.2", only "1.0" is supported'),
    "not completed": (broken(lambda t: _set(t, "status", "initializing")), {}, 'status "initializing"'),
    "duplicate server": (broken(lambda t: _set(t["server_list"][1], "server_id", "10.0.0.1")), {},
                         "server 10.0.0.1 appears twice"),
    "device id 8": (broken(lambda t: _set(_devices(t, 0)[0], "device_id", "8")), {},
                    "server 10.0.0.1: device[0]: device_id 8 is not one of 0..7"),
    "bad device ip": (broken(lambda t: _set(_devices(t, 0)[0], "device_ip", "192.168.104")), {},
                      'server 10.0.0.1: device 4: device_ip "192.168.104" is not an IPv4 address'),
    "no rank id": (broken(lambda t: _devices(t, 0)[0].pop("rank_id")), {}, "server 10.0.0.1: device 4: no rank_id"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_rank_tables(tmp_path, case):
    bad, expected, message = BROKEN[case]
    path = tmp_path / "hccl.json"
    path.write_text(json.dumps(bad))
    with pytest.raises(UsageError, match=f"^{re.escape(str(path))}: ") as info:
        check_rank_table(str(path), **expected)
    assert message in str(info.value)
    options = [a for key, value in expected.items() for a in (f"--{key}", str(value))]
    assert_cli_error(run_cli("check", str(path), *options, cwd=str(tmp_path)), str(path), message)


def test_not_json_and_missing_file(tmp_path):
    path = tmp_path / "hccl.json"
    path.write_text('{"version": "1.0",')
    with pytest.raises(UsageError, match="hccl.json: not JSON: "):
        check_rank_table(str(path))
    assert_cli_error(run_cli("check", str(path), cwd=str(tmp_path)), str(path), "not JSON")
    assert_cli_error(run_cli("check", "absent.json", cwd=str(tmp_path)), "absent.json", "cannot read")


def test_one_implementation_in_the_model_folders():
    """The top-level script is the model folders' shared copy (scripts/ of each, kept equal by the sync)."""
    assert os.path.samefile(hccl_tools.__file__, os.path.join(ROOT, "cnnctc", "scripts", "hccl_tools.py"))


def test_ranks_of_one_server(tmp_path):
    path = tmp_path / "hccl_8p.json"
    path.write_text(json.dumps(TWO_SERVERS_4_7))
    assert hccl_tools.server_ranks(str(path), "10.0.0.2", rank_size=8) == (8, [(4, 4), (5, 5), (6, 6), (7, 7)])
    proc = run_cli("ranks", str(path), "--server", "10.0.0.1", cwd=str(tmp_path))
    assert proc.returncode == 0 and proc.stdout.splitlines() == [f"rank {i} device {4 + i} of 8" for i in range(4)]
    assert_cli_error(run_cli("ranks", str(path), cwd=str(tmp_path)), str(path),
                     "2 servers (10.0.0.1, 10.0.0.2): say which one this is")
    assert_cli_error(run_cli("ranks", str(path), "--server", "10.0.0.3", cwd=str(tmp_path)), str(path),
                     "no server 10.0.0.3 (servers: 10.0.0.1, 10.0.0.2)")
    assert_cli_error(run_cli("ranks", str(path), "--server", "10.0.0.1", "--rank_size", "16", cwd=str(tmp_path)),
                     str(path), "rank size 8 (2 servers x 4 devices), 16 expected")
