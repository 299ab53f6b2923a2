"""Formatting helpers for scripts/demo.sh: the live feed and the end-of-run tables."""
import collections
import json
import sys


def feed():
    for line in sys.stdin:
        c = json.loads(line)
        vals = ", ".join(
            f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in c["values"].items()
        )
        cause = c["cause"]["kind"]
        print(f"{c['at'][:16]}  {c['customer_id']:<8} {c['change'].upper():<5} "
              f"{c['segment']:<16} {cause:<6} {vals}", flush=True)


def summary(path):
    with open(path) as f:
        lines = [l for l in f if l.startswith("segd: summary ")]
    if not lines:
        print("  (segd printed no summary; see its log)")
        return
    s = json.loads(lines[-1][len("segd: summary "):])
    for topic, t in s["topics"].items():
        dl = sum(t["dead_lettered"].values())
        print(f"  {topic:<10} consumed {t['consumed']:>6}  processed {t['processed']:>6}  "
              f"duplicates {t['duplicates']:>4}  dead-lettered {dl:>4} {t['dead_lettered']}")
        if t["lost_to_retention"]:
            print(f"  {topic:<10} removed by retention before segd read them: "
                  f"{t['lost_to_retention']}")
    print(f"  segment changes published: {s['outbox_published']}")


def segments(path):
    enter, leave = collections.Counter(), collections.Counter()
    with open(path) as f:
        for line in f:
            c = json.loads(line)
            (enter if c["change"] == "enter" else leave)[c["segment"]] += 1
    print(f"  {'segment':<16} {'entered':>8} {'exited':>8} {'members':>8}")
    for s in sorted(set(enter) | set(leave)):
        print(f"  {s:<16} {enter[s]:>8} {leave[s]:>8} {enter[s] - leave[s]:>8}")


if __name__ == "__main__":
    {"feed": lambda: feed(), "summary": lambda: summary(sys.argv[2]),
     "segments": lambda: segments(sys.argv[2])}[sys.argv[1]]()
