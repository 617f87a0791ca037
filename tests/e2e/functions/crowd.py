"""A Lambda stand-in that notes how many of its kind run at once: it leaves a file in the
event's "room" (a directory) while it runs (a quarter of a second), and returns how many it
saw there, itself included."""

import json
import os
import sys
import time

event = json.load(sys.stdin)
room = event["room"]
os.makedirs(room, exist_ok=True)
me = os.path.join(room, str(os.getpid()))
open(me, "w").close()
try:
    time.sleep(0.25)
    seen = len(os.listdir(room))
finally:
    os.remove(me)
print(json.dumps({"seen": seen}))
