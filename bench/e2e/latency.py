"""Produce-to-SegmentChange latency of a running segd, at a fixed event rate.

Usage: /usr/bin/python3 latency.py BOOTSTRAP INPUT_TOPIC OUTPUT_TOPIC RATE SECONDS WARMUP_S TAG

Produces RATE events/s for SECONDS (key = customer_id, murmur2_random partitioner, `ts` = the
wall clock in epoch ms). Every 4th event is the first purchase of a new customer, which the
example rules answer with a `new_buyer` enter; the rest are page and product views. A consumer
thread reads OUTPUT_TOPIC from its end and matches each SegmentChange to its cause event_id.
Latency = delivery to our consumer - the moment we handed the event to the producer. Events sent
in the first WARMUP_S seconds are excluded. Prints one JSON line.
"""
import json
import sys
import threading
import time

from confluent_kafka import Consumer, Producer, TopicPartition

bootstrap, in_topic, out_topic = sys.argv[1], sys.argv[2], sys.argv[3]
rate, seconds, warmup, tag = int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]), sys.argv[7]

sent = {}  # cause event_id -> monotonic send time
received = {}  # cause event_id -> monotonic delivery time (first copy)
stop = threading.Event()
ready = threading.Event()


def consume():
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"latency-{tag}",
                  "enable.auto.commit": False, "fetch.wait.max.ms": 5})
    parts = c.list_topics(out_topic, timeout=10).topics[out_topic].partitions
    c.assign([TopicPartition(out_topic, p, -1) for p in parts])  # -1: OFFSET_END
    while not c.assignment():
        time.sleep(0.01)
    ready.set()
    while not stop.is_set():
        for m in c.consume(num_messages=1000, timeout=0.05):
            if m.error():
                continue
            now = time.monotonic()
            cause = json.loads(m.value()).get("cause", {})
            if cause.get("kind") == "event":
                received.setdefault(cause.get("event_id"), now)
    c.close()


reader = threading.Thread(target=consume)
reader.start()
ready.wait(15)
time.sleep(1.0)  # let the OFFSET_END positions resolve before the first event
p = Producer({"bootstrap.servers": bootstrap, "partitioner": "murmur2_random",
              "enable.idempotence": True, "linger.ms": 1})
start = time.monotonic()
n = 0
while True:
    elapsed = time.monotonic() - start
    if elapsed >= seconds:
        break
    due = int(elapsed * rate)
    while n < due:
        ms = int(time.time() * 1000)
        eid = f"{tag}-e{n}"
        if n % 4 == 0:
            cid = f"{tag}-buyer{n}"
            ev = {"event_id": eid, "type": "purchase", "customer_id": cid, "ts": ms,
                  "order_id": f"{tag}-o{n}", "amount": 42.0, "currency": "EUR",
                  "items": [{"product_id": "p1", "category": "shoes", "quantity": 1,
                             "price": 42.0}]}
        else:
            cid = f"{tag}-browser{n % 5000}"
            ev = {"event_id": eid, "type": "product_view" if n % 2 else "page_view",
                  "customer_id": cid, "ts": ms, "session_id": f"s{n % 5000}",
                  "product_id": "p7", "category": "shoes", "price": 59.9}
        p.produce(in_topic, key=cid, value=json.dumps(ev, separators=(",", ":")))
        if n % 4 == 0 and elapsed >= warmup:
            sent[eid] = time.monotonic()
        n += 1
    p.poll(0)
    time.sleep(0.0005)
produced_for = time.monotonic() - start
p.flush(30)
deadline = time.monotonic() + 30
while time.monotonic() < deadline and len([e for e in sent if e in received]) < len(sent):
    time.sleep(0.2)
stop.set()
reader.join()
lat = sorted((received[e] - t) * 1000 for e, t in sent.items() if e in received)
if not lat:
    raise SystemExit("no SegmentChange matched a sent event")


def pct(q):
    return lat[min(len(lat) - 1, int(q * len(lat)))]


print(json.dumps({"events": n, "rate": round(n / produced_for), "measured": len(sent),
                  "matched": len(lat), "p50_ms": round(pct(0.50), 1),
                  "p99_ms": round(pct(0.99), 1), "max_ms": round(lat[-1], 1)}))
