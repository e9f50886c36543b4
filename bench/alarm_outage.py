"""No alarm lost while the ingester is down: the shipped Mosquitto configuration, the ingester
SIGKILLed, 2,000 alarms sent by the devices during a 15 s outage, then the ingester back.

    python bench/alarm_outage.py                    deploy/mosquitto.conf (no queue limit)
    python bench/alarm_outage.py --queue default    the same with Mosquitto's default queue
                                                    (max_queued_messages 1000), for contrast

Loopback only, bounded (--timeout), stops by itself. It

1. starts Mosquitto with deploy/mosquitto.conf as shipped, moved to a temporary directory
   and a free 127.0.0.1 port (no TLS listener: no certificate here; sys_interval 1 so that
   the $SYS figures are fresh): anonymous clients refused, password and ACL files;
2. migrates DATABASE_URL, registers --devices pendants with their own credentials, and runs
   `kangyang mqtt_auth --reload` to write the broker's files from the registry;
3. starts the real ingester (`python -m kangyang ingest`, MQTT_URL with the ingester's
   account) and waits until a probe alarm is stored: it is subscribed;
4. SIGKILLs it; each device, logged in with its own account, publishes its share of the
   alarms with QoS 1 over --outage seconds (an alarm counts as sent once the broker
   acknowledged it: from then on the device will not send it again);
5. starts the ingester again, waits until every alarm is stored (or the timeout), and reads
   the broker's drop counter ($SYS/broker/publish/messages/dropped).

Prints sent, stored, lost, duplicates and the broker's drops. Exit status 0 when every alarm
sent was stored exactly once, 1 otherwise (with --queue default, 1 is the expected result).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import alarm_fault  # noqa: E402  (its environment defaults, database and process helpers)

TS = alarm_fault.TS
INGESTER_USER = "kangyang-ingest"


class ShippedMosquitto:
    """deploy/mosquitto.conf on a free loopback port, its files in a temporary directory."""

    def __init__(self, *, queue: str):
        from kangyang.alarms import mosquitto

        self.port = alarm_fault.free_port()
        self.dir = tempfile.TemporaryDirectory(prefix="kangyang-outage-")
        self.path = Path(self.dir.name)
        for name in ("passwd", "acl"):
            (self.path / name).write_text("")
        overrides = {"sys_interval": "1"}
        if queue == "default":
            overrides["max_queued_messages"] = "1000"  # Mosquitto's default
        conf = mosquitto.adapt_config((ROOT / "deploy" / "mosquitto.conf").read_text(), port=self.port,
                                      directory=self.path, overrides=overrides)
        (self.path / "mosquitto.conf").write_text(conf)
        self.pidfile = self.path / "mosquitto.pid"
        self.log = open(self.path / "mosquitto.log", "wb")  # noqa: SIM115 - closed in close()
        self.proc = subprocess.Popen(["mosquitto", "-c", str(self.path / "mosquitto.conf")],
                                     stdout=self.log, stderr=self.log)
        alarm_fault.wait_for_port(self.port)
        deadline = time.monotonic() + 10
        while not self.pidfile.exists() and time.monotonic() < deadline:
            time.sleep(0.05)

    def close(self) -> None:
        alarm_fault.stop(self.proc)
        self.log.close()
        self.dir.cleanup()


def device_client(port: int, username: str, password: str):
    import paho.mqtt.client as mqtt

    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"dev-{username}", protocol=mqtt.MQTTv311)
    c.username_pw_set(username, password)
    c.max_inflight_messages_set(100)
    c.max_queued_messages_set(0)
    connected = threading.Event()
    c.on_connect = lambda _c, _u, _f, rc, _p: connected.set() if not rc.is_failure else None
    c.connect("127.0.0.1", port)
    c.loop_start()
    if not connected.wait(10):
        raise RuntimeError(f"device {username} was refused by the broker")
    return c


def read_dropped(port: int, password: str, timeout: float = 5) -> int | None:
    """The broker's drop counter, read as the ingester's account (a fresh value: sys_interval 1)."""
    import paho.mqtt.client as mqtt

    values: list[int] = []
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-sys-{uuid.uuid4().hex[:6]}",
                    protocol=mqtt.MQTTv311)
    c.username_pw_set(INGESTER_USER, password)
    c.on_connect = lambda cl, *_a: cl.subscribe("$SYS/broker/publish/messages/dropped")
    c.on_message = lambda _c, _u, m: values.append(int(m.payload))
    c.connect("127.0.0.1", port)
    c.loop_start()
    deadline = time.monotonic() + timeout
    while len(values) < 2 and time.monotonic() < deadline:  # the retained value, then a fresh one
        time.sleep(0.1)
    c.disconnect()
    c.loop_stop()
    return values[-1] if values else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--alarms", type=int, default=2000)
    parser.add_argument("--devices", type=int, default=50)
    parser.add_argument("--outage", type=float, default=15.0, help="seconds the ingester is down (default 15)")
    parser.add_argument("--queue", choices=["shipped", "default"], default="shipped",
                        help="deploy/mosquitto.conf as shipped, or with Mosquitto's default queue of 1,000")
    parser.add_argument("--timeout", type=float, default=180, help="seconds for the whole run (default 180)")
    args = parser.parse_args()
    started = time.monotonic()
    run = uuid.uuid4().hex[:8]
    ingester_password = uuid.uuid4().hex
    broker = None
    ok = False
    try:
        alarm_fault.create_database_if_missing(os.environ["DATABASE_URL"])
        broker = ShippedMosquitto(queue=args.queue)
        # MQTT_URL names the ingester's account; set before Django reads its settings.
        os.environ["MQTT_URL"] = f"mqtt://{INGESTER_USER}:{ingester_password}@127.0.0.1:{broker.port}"
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import close_old_connections
        from django.db.models import Count

        from kangyang.alarms import actions
        from kangyang.alarms.models import Alarm, BrokerStatus, Device

        call_command("migrate", interactive=False, verbosity=0)

        prefix = f"O{run}"
        ids = alarm_fault.make_devices(prefix, args.devices)
        probe_id = alarm_fault.make_devices(f"{prefix}probe", 1)[0]
        passwords = {}
        for device in Device.objects.filter(device_id__in=[*ids, probe_id]):
            password = actions.issue_device_credentials(device)
            passwords[device.device_id] = (device.mqtt_username, password)
        out = open(os.devnull, "w")  # noqa: SIM115
        call_command("mqtt_auth", password_file=broker.path / "passwd", acl_file=broker.path / "acl",
                     reload=broker.pidfile, stdout=out, stderr=out)
        print(f"run {run}: {args.alarms} alarms from {args.devices} devices during a {args.outage:.0f} s "
              f"ingester outage; Mosquitto {'as shipped (deploy/mosquitto.conf)' if args.queue == 'shipped' else 'with its default queue (max_queued_messages 1000)'}")

        # the broker re-reads its files on SIGHUP: wait until the probe device is let in
        deadline = time.monotonic() + 10
        while True:
            try:
                probe = device_client(broker.port, *passwords[probe_id])
                break
            except (RuntimeError, OSError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

        log_path = Path(os.environ["KANGYANG_DATA_DIR"]) / f"alarm_outage-{run}.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        ingester = alarm_fault.Ingester(settings.MQTT_URL, f"kangyang-bench-outage-{run}", log_path)
        ingester.start()
        deadline = time.monotonic() + 60
        while not Alarm.objects.filter(device__device_id=probe_id).exists():
            if time.monotonic() > deadline:
                raise RuntimeError(f"the ingester did not come up (see {log_path})")
            probe.publish(f"kangyang/devices/{probe_id}/alarm",
                          json.dumps({"msg_id": f"probe-{time.monotonic()}", "type": "sos", "ts": TS}), qos=1)
            time.sleep(0.3)
            close_old_connections()
        probe.disconnect()
        probe.loop_stop()

        clients = {d: device_client(broker.port, *passwords[d]) for d in ids}
        ingester.kill()
        down_at = time.monotonic()
        print(f"  ingester SIGKILLed; publishing {args.alarms} alarms over {args.outage * 0.8:.0f} s")
        infos = []
        interval = args.outage * 0.8 / args.alarms
        for i in range(args.alarms):
            device = ids[i % len(ids)]
            body = {"msg_id": f"o{i}", "type": "sos", "ts": TS}
            infos.append(clients[device].publish(f"kangyang/devices/{device}/alarm", json.dumps(body), qos=1))
            while time.monotonic() < down_at + (i + 1) * interval:
                time.sleep(0.0005)
        for info in infos:
            info.wait_for_publish(30)
        sent = sum(1 for info in infos if info.is_published())
        remaining = down_at + args.outage - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)
        print(f"  {sent} alarms acknowledged by the broker (PUBACK) while the ingester was down "
              f"{time.monotonic() - down_at:.1f} s; starting it again")
        ingester.start()
        back_at = time.monotonic()

        def stored() -> int:
            close_old_connections()
            return Alarm.objects.filter(device__device_id__startswith=prefix + "-").count()

        last, last_change = -1, time.monotonic()
        end = started + args.timeout
        while time.monotonic() < end:
            n = stored()
            if n >= sent:
                break
            if n != last:
                last, last_change = n, time.monotonic()
            elif time.monotonic() - last_change > 10:  # nothing more is coming
                break
            time.sleep(0.5)
        drained = time.monotonic() - back_at
        time.sleep(2)  # a redelivery still in flight, if any
        dropped = read_dropped(broker.port, ingester_password)
        code = ingester.stop()
        for c in clients.values():
            c.disconnect()
            c.loop_stop()

        close_old_connections()
        rows = Alarm.objects.filter(device__device_id__startswith=prefix + "-")
        got = rows.count()
        keys = set(rows.values_list("device__device_id", "msg_id"))
        doubled = rows.values("device", "msg_id").annotate(n=Count("id")).filter(n__gt=1).count()
        expected = {(ids[i % len(ids)], f"o{i}") for i in range(args.alarms)}
        recorded = BrokerStatus.objects.filter(broker=f"127.0.0.1:{broker.port}").first()
        ok = sent == args.alarms and keys == expected and got == len(expected) and doubled == 0 and code == 0
        print(f"  sent {sent}, stored {got}, lost {len(expected - keys)}, duplicates {doubled}; "
              f"stored {drained:.1f} s after the ingester came back")
        print(f"  broker: $SYS/broker/publish/messages/dropped = {dropped}; recorded by the ingester: "
              f"{recorded.dropped if recorded else 'nothing'}"
              f"{' (the console warns)' if recorded and recorded.dropped_rose_at else ''}")
        print(f"  ingester log: {log_path}; whole run {time.monotonic() - started:.0f} s")
    finally:
        if broker is not None:
            broker.close()
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
