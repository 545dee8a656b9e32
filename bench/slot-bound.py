"""LP relaxation behind bench/slot-bound.ts (see there): python3 bench/slot-bound.py HOSTS.json [buckets]."""
import json
import sys

import numpy as np
from scipy.optimize import linprog

data = json.load(open(sys.argv[1]))
buckets = int(sys.argv[2]) if len(sys.argv) > 2 else 250
closure = data['bytes']
targets = sorted((h for h in data['hosts'] if h['role'] == 'target'), key=lambda h: h['up'])
seeds = [h for h in data['hosts'] if h['role'] != 'target']
# Buckets of equal count by uplink (downlink grows with it in this preset); rates rounded up.
groups = [g for g in np.array_split(np.arange(len(targets)), buckets) if len(g) > 0]
cls = [(len(g), max(targets[i]['up'] for i in g), max(targets[i]['down'] for i in g)) for g in groups]
R = len(cls)
S = R + len(seeds)
n = S * R + 1  # y[s][r] host-seconds, then T


def up(s):
    return cls[s][1] if s < R else seeds[s - R]['up']


A, b = [], []
for r, (count, _, down) in enumerate(cls):
    demand = np.zeros(n)
    slots = np.zeros(n)
    for s in range(S):
        demand[s * R + r] = -min(up(s), down)
        slots[s * R + r] = 1
    slots[-1] = -count
    A += [demand, slots]
    b += [-count * closure, 0]
for s in range(S):
    sends = np.zeros(n)
    for r in range(R):
        sends[s * R + r] = 1
    sends[-1] = -(cls[s][0] if s < R else seeds[s - R]['maxSends'])
    A.append(sends)
    b.append(0)
    if s >= R:
        rate = np.zeros(n)
        for r in range(R):
            rate[s * R + r] = min(up(s), cls[r][2])
        rate[-1] = -up(s)
        A.append(rate)
        b.append(0)
cost = np.zeros(n)
cost[-1] = 1
res = linprog(cost, A_ub=np.array(A), b_ub=np.array(b), bounds=[(0, None)] * n, method='highs')
if not res.success:
    sys.exit(f'LP failed: {res.message}')
T = res.x[-1]
print(f'slot bound {T:.1f} s = {T / data["bound"]:.3f}x the fluid bound ({data["bound"]:.1f} s), {R} buckets')
