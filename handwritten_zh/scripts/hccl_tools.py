"""Ascend rank tables (HCCL json, version 1.0) for ``run_distribute_train_ascend.sh RANK_TABLE_FILE``: make one
from the servers' hccn.conf files, check one before a run, or list a server's ranks (what the launcher starts).

    python scripts/hccl_tools.py make --server 10.0.0.1                  # this server, /etc/hccn.conf, devices 0-7
    python scripts/hccl_tools.py make --server 10.0.0.1:hccn_1.conf --server 10.0.0.2:hccn_2.conf --devices 0-3
    python scripts/hccl_tools.py make --server 10.0.0.1 --devices 0,1 \\
        --device_ips 10.0.0.1=192.168.100.101,192.168.101.101
    python scripts/hccl_tools.py check hccl_8p_01234567_10.0.0.1.json --rank_size 8
    python scripts/hccl_tools.py ranks hccl_16p_01234567_10.0.0.1.json --server 10.0.0.2 --rank_size 16

``make`` takes each device's address from its ``address_N=IP`` line in the server's hccn.conf: ``/etc/hccn.conf``
for a single server, else ``SERVER_IP:FILE`` with a copy of each server's file; ``--device_ips`` gives the
addresses of the selected devices directly, in order. ``--devices`` (``0-7``, ``0,1,2,3``, ``4-7``) selects the
same device ids on every server. Rank ids count server by server in the order given, device by device. The table
is checked as ``check`` does, then written atomically to ``--out`` (default
``hccl_{rank size}p_{devices}_{first server}.json`` in the current folder).

``check`` validates a table: JSON, version "1.0", status "completed", server_count, unique server ids, on each
server unique device ids 0..7 and unique IPv4 device addresses, the same number of devices on every server, rank
ids exactly 0..N-1, and optionally ``--devices_per_server`` and ``--rank_size`` (``RANK_SIZE``). All numbers are
strings. ``ranks`` checks the same way, then prints one line ``rank R device D of N`` for each device of
``--server`` (which may be left out when the table has one server). Any problem is one line
``error: FILE: what is wrong`` on stderr and exit status 2.

This file is the same in every model folder's ``scripts/`` (``scripts/sync_model_utils.py``), so a model folder
copied alone still checks its rank tables.
"""
from __future__ import annotations

import argparse
import contextlib
import ipaddress
import json
import os
import re
import sys
from collections import Counter
from typing import Optional, Sequence

VERSION = "1.0"
DEVICE_IDS = range(8)  # the devices of an Ascend server
DEFAULT_HCCN_CONF = "/etc/hccn.conf"


class UsageError(Exception):
    """A wrong argument, hccn.conf file or rank table; the message reads ``SUBJECT: what is wrong``."""


def _is_ipv4(value: object) -> bool:
    try:
        ipaddress.IPv4Address(value if isinstance(value, str) else "")
    except ipaddress.AddressValueError:
        return False
    return True


def compact(numbers: Sequence[int]) -> str:
    """Ascending ``numbers`` as ranges: ``0-3,6`` for 0, 1, 2, 3, 6."""
    parts: list[str] = []
    for i, n in enumerate(numbers):
        if i == 0 or numbers[i - 1] != n - 1:
            parts.append(str(n))
        elif i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            parts[-1] += f"-{n}"
    return ",".join(parts)


def parse_devices(spec: str) -> list[int]:
    """The device ids of ``0-7``, ``0,1,2,3`` or ``0-3,6``, ascending; each once and within 0..7."""
    devices: list[int] = []
    for item in spec.split(","):
        match = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", item)
        if not match:
            raise UsageError(f"--devices {spec}: device ids or ranges expected, such as 0-7 or 0,1,2,3")
        first, last = int(match[1]), int(match[2] or match[1])
        if first > last:
            raise UsageError(f"--devices {spec}: range {item.strip()} is empty")
        devices += range(first, last + 1)
    outside = [d for d in devices if d not in DEVICE_IDS]
    if outside:
        raise UsageError(f"--devices {spec}: device {outside[0]} is not one of 0..{DEVICE_IDS[-1]}")
    repeated = [d for d, n in Counter(devices).items() if n > 1]
    if repeated:
        raise UsageError(f"--devices {spec}: device {repeated[0]} is given twice")
    return sorted(devices)


def _read_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text") from None


def read_hccn_conf(path: str) -> dict[int, str]:
    """Device id -> device IP from the ``address_N=IP`` lines of an hccn.conf file (other lines are ignored)."""
    addresses: dict[int, str] = {}
    lines: dict[int, int] = {}
    for number, line in enumerate(_read_text(path).splitlines(), 1):
        key, sep, value = (part.strip() for part in line.partition("="))
        match = re.fullmatch(r"address_(\d+)", key)
        if not sep or not match:
            continue
        device = int(match[1])
        if not _is_ipv4(value):
            raise UsageError(f"{path}: line {number}: {key}={value} is not an IPv4 address")
        if device in lines:
            raise UsageError(f"{path}: line {number}: {key} is already on line {lines[device]}")
        addresses[device], lines[device] = value, number
    return addresses


def make_rank_table(servers: Sequence[tuple[str, dict[int, str]]], devices: Sequence[int]) -> dict:
    """The rank table of ``devices`` on each (server IP, device id -> device IP) of ``servers``, ranks in order."""
    server_list = []
    for index, (server_id, addresses) in enumerate(servers):
        server_list.append({
            "server_id": server_id,
            "device": [{"device_id": str(d), "device_ip": addresses[d], "rank_id": str(index * len(devices) + i)}
                       for i, d in enumerate(devices)],
            "host_nic_ip": "reserve"})
    return {"version": VERSION, "server_count": str(len(server_list)), "server_list": server_list,
            "status": "completed"}


def default_name(table: dict) -> str:
    """``hccl_{rank size}p_{device ids}_{first server}.json``, the classic model zoo's name for ``table``."""
    first = table["server_list"][0]
    rank_size = sum(len(server["device"]) for server in table["server_list"])
    return f"hccl_{rank_size}p_{''.join(d['device_id'] for d in first['device'])}_{first['server_id']}.json"


def _field(obj: dict, key: str, where: str) -> object:
    if key not in obj:
        raise UsageError(f"{where}no {key}")
    return obj[key]


def _int_string(value: object, what: str) -> int:
    """A rank table number: an integer written as a string, such as "3"."""
    if not isinstance(value, str) or not re.fullmatch(r"0|[1-9]\d*", value):
        raise UsageError(f"{what} {json.dumps(value)} is not an integer written as a string")
    return int(value)


def _server_ranks(server_id: str, devices: list, ips: dict[str, str]) -> list[int]:
    """The rank ids of one server's devices, after checking its device ids and IPs (``ips``: the device IPs
    of the servers checked before, each cluster-wide unique, to where they were seen)."""
    ids: set[int] = set()
    ranks = []
    for index, device in enumerate(devices):
        where = f"server {server_id}: device[{index}]"
        if not isinstance(device, dict):
            raise UsageError(f"{where} is not an object")
        device_id = _int_string(_field(device, "device_id", f"{where}: "), f"{where}: device_id")
        if device_id not in DEVICE_IDS:
            raise UsageError(f"{where}: device_id {device_id} is not one of 0..{DEVICE_IDS[-1]}")
        if device_id in ids:
            raise UsageError(f"server {server_id}: device id {device_id} appears twice")
        where = f"server {server_id}: device {device_id}"
        ip = _field(device, "device_ip", f"{where}: ")
        if not _is_ipv4(ip):
            raise UsageError(f"{where}: device_ip {json.dumps(ip)} is not an IPv4 address")
        if ip in ips:
            raise UsageError(f"{ips[ip]} and {where} have the same device_ip {ip}")
        ids.add(device_id)
        ips[ip] = where
        ranks.append(_int_string(_field(device, "rank_id", f"{where}: "), f"{where}: rank_id"))
    return ranks


def _check_ranks(ranks: list[int]) -> None:
    counts = Counter(ranks)
    problems = [f"{label} {compact(numbers)}" for label, numbers in (
        ("missing", [r for r in range(len(ranks)) if r not in counts]),
        ("duplicated", sorted(r for r, n in counts.items() if n > 1)),
        ("unexpected", sorted(r for r in counts if r >= len(ranks)))) if numbers]
    if problems:
        raise UsageError(f"rank ids 0..{len(ranks) - 1} expected, {', '.join(problems)}")


def validate_rank_table(table: object, devices_per_server: Optional[int] = None,
                        rank_size: Optional[int] = None) -> dict:
    """The summary of a parsed rank table (see ``check_rank_table``); UsageError without the file name."""
    if not isinstance(table, dict):
        raise UsageError("not a rank table (a JSON object is expected)")
    version = _field(table, "version", "")
    if version != VERSION:
        raise UsageError(f"version {json.dumps(version)}, only \"{VERSION}\" is supported")
    status = _field(table, "status", "")
    if status != "completed":
        raise UsageError(f"status {json.dumps(status)}, \"completed\" expected")
    servers = _field(table, "server_list", "")
    if not isinstance(servers, list) or not servers:
        raise UsageError("server_list is not a non-empty list")
    server_count = _int_string(_field(table, "server_count", ""), "server_count")
    if server_count != len(servers):
        raise UsageError(f"server_count is {server_count} but server_list has {len(servers)} servers")
    sizes: dict[str, int] = {}
    ranks: list[int] = []
    ips: dict[str, str] = {}
    for index, server in enumerate(servers):
        if not isinstance(server, dict):
            raise UsageError(f"server_list[{index}] is not an object")
        server_id = _field(server, "server_id", f"server_list[{index}]: ")
        if not isinstance(server_id, str) or not server_id.strip():
            raise UsageError(f"server_list[{index}]: server_id {json.dumps(server_id)} is not a non-empty string")
        if server_id in sizes:
            raise UsageError(f"server {server_id} appears twice")
        devices = _field(server, "device", f"server {server_id}: ")
        if not isinstance(devices, list) or not devices:
            raise UsageError(f"server {server_id}: device is not a non-empty list")
        ranks += _server_ranks(server_id, devices, ips)
        sizes[server_id] = len(devices)
    first_id, per_server = next(iter(sizes.items()))
    for server_id, size in sizes.items():
        if size != per_server:
            raise UsageError(f"server {server_id} has {size} devices, server {first_id} has {per_server}")
    _check_ranks(ranks)
    if devices_per_server is not None and per_server != devices_per_server:
        raise UsageError(f"{per_server} devices per server, {devices_per_server} expected")
    if rank_size is not None and len(ranks) != rank_size:
        raise UsageError(f"rank size {len(ranks)} ({len(sizes)} servers x {per_server} devices), "
                         f"{rank_size} expected")
    return {"servers": len(sizes), "server_ids": list(sizes), "devices_per_server": per_server,
            "rank_size": len(ranks)}


def _load_checked(path: str, devices_per_server: Optional[int], rank_size: Optional[int]) -> tuple[dict, dict]:
    """(the table, its summary) of the rank table file ``path``, or UsageError ``path: what is wrong``."""
    text = _read_text(path)
    try:
        table = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}: not JSON: {exc}") from None
    try:
        return table, validate_rank_table(table, devices_per_server, rank_size)
    except UsageError as exc:
        raise UsageError(f"{path}: {exc}") from None


def check_rank_table(path: str, devices_per_server: Optional[int] = None, rank_size: Optional[int] = None) -> dict:
    """Validate the rank table file ``path``; return its summary (servers, server_ids, devices_per_server,
    rank_size) or raise UsageError ``path: what is wrong``."""
    return _load_checked(path, devices_per_server, rank_size)[1]


def server_ranks(path: str, server_id: Optional[str] = None, devices_per_server: Optional[int] = None,
                 rank_size: Optional[int] = None) -> tuple[int, list[tuple[int, int]]]:
    """(rank size, [(rank id, device id)] of server ``server_id``'s devices in table order) of the checked rank
    table ``path``; ``server_id`` may be None when the table has a single server."""
    table, summary = _load_checked(path, devices_per_server, rank_size)
    ids = summary["server_ids"]
    if server_id is None and len(ids) > 1:
        raise UsageError(f"{path}: {len(ids)} servers ({', '.join(ids)}): say which one this is (--server; SERVER_ID for the launcher)")
    server_id = ids[0] if server_id is None else server_id
    if server_id not in ids:
        raise UsageError(f"{path}: no server {server_id} (servers: {', '.join(ids)})")
    devices = table["server_list"][ids.index(server_id)]["device"]
    return summary["rank_size"], [(int(d["rank_id"]), int(d["device_id"])) for d in devices]


def write_rank_table(table: dict, path: str) -> None:
    """Write ``table`` to ``path`` through a temporary file renamed into place."""
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(table, f, indent=4)
            f.write("\n")
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise UsageError(f"{path}: cannot write: {exc.strerror or exc}") from None


def _parse_server(spec: str) -> tuple[str, Optional[str]]:
    server, colon, conf = spec.partition(":")
    if not _is_ipv4(server):
        raise UsageError(f"--server {spec}: {server!r} is not an IPv4 address")
    if colon and not conf:
        raise UsageError(f"--server {spec}: no hccn.conf file after ':'")
    return server, conf or None


def _parse_device_ips(spec: str) -> tuple[str, list[str]]:
    server, equals, listing = spec.partition("=")
    if not equals or not _is_ipv4(server):
        raise UsageError(f"--device_ips {spec}: SERVER_IP=IP,IP,... expected")
    ips = [ip.strip() for ip in listing.split(",")]
    bad = [ip for ip in ips if not _is_ipv4(ip)]
    if bad:
        raise UsageError(f"--device_ips {spec}: {bad[0]!r} is not an IPv4 address")
    return server, ips


def _addresses(server: str, conf: Optional[str], explicit: Optional[list[str]], devices: list[int],
               several: bool) -> dict[int, str]:
    """Device id -> IP of one server's selected devices, from ``--device_ips`` or its hccn.conf."""
    if explicit is not None:
        source = f"--device_ips {server}"
        if conf:
            raise UsageError(f"{source}: the addresses are also in {conf} (--server {server}:{conf})")
        if len(explicit) != len(devices):
            raise UsageError(f"{source}: {len(explicit)} addresses for {len(devices)} devices ({compact(devices)})")
        addresses = dict(zip(devices, explicit))
    else:
        if conf is None and several:
            raise UsageError(f"--server {server}: with several servers give a copy of each one's hccn.conf as "
                             f"{server}:FILE, or --device_ips {server}=IP,...")
        source = conf or DEFAULT_HCCN_CONF
        addresses = read_hccn_conf(source)
        missing = [d for d in devices if d not in addresses]
        if missing:
            raise UsageError(f"{source}: device {missing[0]} has no address_{missing[0]} (server {server})")
    same = [(a, b) for a in devices for b in devices if a < b and addresses[a] == addresses[b]]
    if same:
        raise UsageError(f"{source}: devices {same[0][0]} and {same[0][1]} have the same address "
                         f"{addresses[same[0][0]]}")
    return addresses


def _make(args: argparse.Namespace) -> None:
    devices = parse_devices(args.devices)
    servers = [_parse_server(spec) for spec in args.server]
    explicit: dict[str, list[str]] = {}
    for spec in args.device_ips:
        server, ips = _parse_device_ips(spec)
        if server in explicit:
            raise UsageError(f"--device_ips {server}: given twice")
        explicit[server] = ips
    names = [server for server, _ in servers]
    for server in names:
        if names.count(server) > 1:
            raise UsageError(f"--server {server}: given twice")
    for server in explicit:
        if server not in names:
            raise UsageError(f"--device_ips {server}: not one of the --server addresses")
    table = make_rank_table([(server, _addresses(server, conf, explicit.get(server), devices, len(servers) > 1))
                             for server, conf in servers], devices)
    out = args.out or default_name(table)
    try:
        summary = validate_rank_table(table)
    except UsageError as exc:
        raise UsageError(f"{out}: {exc}") from None
    write_rank_table(table, out)
    print(f"wrote {out}: {summary['servers']} server(s) x {summary['devices_per_server']} devices "
          f"({compact(devices)}), rank size {summary['rank_size']}")
    for index, server in enumerate(names):
        print(f"  {server}: ranks {compact(range(index * len(devices), (index + 1) * len(devices)))}")


def _check(args: argparse.Namespace) -> None:
    summary = check_rank_table(args.file, args.devices_per_server, args.rank_size)
    print(f"{args.file}: {summary['servers']} server(s) ({', '.join(summary['server_ids'])}) x "
          f"{summary['devices_per_server']} devices, rank size {summary['rank_size']}")


def _ranks(args: argparse.Namespace) -> None:
    rank_size, ranks = server_ranks(args.file, args.server, args.devices_per_server, args.rank_size)
    for rank, device_id in ranks:
        print(f"rank {rank} device {device_id} of {rank_size}")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("make", help="write a rank table from the servers' hccn.conf files")
    make.add_argument("--server", action="append", required=True, metavar="SERVER_IP[:HCCN_CONF]",
                      help="a server, in rank order, with its hccn.conf (default /etc/hccn.conf for one server)")
    make.add_argument("--devices", default="0-7", help="device ids used on every server: 0-7, 0,1,2,3, 4-7 ...")
    make.add_argument("--device_ips", action="append", default=[], metavar="SERVER_IP=IP,IP,...",
                      help="the selected devices' addresses on a server, in order, instead of its hccn.conf")
    make.add_argument("--out", help="the file to write (default hccl_{N}p_{devices}_{first server}.json here)")
    make.set_defaults(run=_make)
    check = commands.add_parser("check", help="validate a rank table")
    check.add_argument("file")
    check.add_argument("--devices_per_server", type=int, help="the number of devices expected on every server")
    check.add_argument("--rank_size", type=int, help="the total number of devices expected (RANK_SIZE)")
    check.set_defaults(run=_check)
    ranks = commands.add_parser("ranks", help="check a rank table and list one server's ranks and devices")
    ranks.add_argument("file")
    ranks.add_argument("--server", help="this server's server_id (needed when the table has several servers)")
    ranks.add_argument("--devices_per_server", type=int, help="the number of devices expected on every server")
    ranks.add_argument("--rank_size", type=int, help="the total number of devices expected (RANK_SIZE)")
    ranks.set_defaults(run=_ranks)
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
