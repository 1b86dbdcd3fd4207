"""The HAProxy configuration in front of a cluster's workers (`serve --workers`, `lb-config`).

Why each line is there (docs/scale-out.md says more):
- Phones start on Socket.IO's HTTP long-polling, then upgrade to a websocket; a hotel WiFi
  that blocks websockets keeps them polling. Every polling request of one Engine.IO session
  must reach the worker that made it, so the balancer is sticky: HAProxy adds a cookie naming
  the worker to the first response, and the phone's browser sends it back with every later
  request and with the websocket upgrade. A cookie rather than the client's address (`balance
  source`, nginx's ip_hash): behind a hotel's or a company's NAT a whole room shares one
  address, and would land on one worker.
- New phones (no cookie yet) go to the worker with the fewest connections (`leastconn`): a
  restarted worker fills up again instead of staying empty.
- A worker is checked with `GET /healthz` every second (a busy one has 3 s to answer); a
  dead one is taken out at the first connection it refuses (`observe layer4`, `on-error
  mark-down`: `leastconn` would otherwise keep choosing it, having the fewest phones), and `option redispatch 1` sends a phone whose cookie names it (or whose
  connection is refused) to another worker, whose Engine.IO does not know the old session:
  the phone's client opens a new one at once.
- Websockets are plain HTTP upgrades to HAProxy in http mode; `timeout tunnel` then governs
  an open websocket (Engine.IO pings every 10 s keep it busy), long enough for a day.
- `option forwardfor` tells the workers each phone's own address (X-Forwarded-For), which
  the join-code guess limit counts per address; workers trust it only with --behind-proxy.
"""
from __future__ import annotations

import resource

import click

COOKIE = "WKWORKER"


def default_maxconn(cap: int = 100_000) -> int:
    """Return as many connections as the open-files limit lets HAProxy hold (two sockets each)."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return cap
    return max(1000, min(cap, (soft - 200) // 2))


def haproxy_config(host: str, port: int, backends: list[tuple[str, str]],
                   maxconn: int | None = None) -> str:
    """Return haproxy.cfg text: a frontend on host:port, the backends (name, "addr:port")."""
    maxconn = maxconn or default_maxconn()
    servers = "\n".join(f"    server {name} {address} cookie {name}" for name, address in backends)
    return f"""\
# Written by workshop-kit (server/lbconfig.py); docs/scale-out.md explains every choice.
global
    maxconn {maxconn}

defaults
    mode http
    maxconn {maxconn}
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout http-request 15s
    timeout tunnel 12h
    timeout client-fin 5s
    retries 3
    option redispatch 1
    option forwardfor

frontend workshop
    bind {host}:{port}
    default_backend workers

backend workers
    balance leastconn
    cookie {COOKIE} insert indirect nocache httponly
    option httpchk GET /healthz
    http-check expect status 200
    timeout check 3s
    default-server check inter 1s fastinter 250ms downinter 500ms fall 2 rise 1 observe layer4 error-limit 1 on-error mark-down
{servers}
"""


@click.command("lb-config")
@click.option("--backend", "backends", multiple=True, required=True, metavar="HOST:PORT",
              help="A worker (`workshop serve --resume SID ...`) to balance; repeat per worker.")
@click.option("--host", default="0.0.0.0", show_default=True, help="Address phones connect to.")
@click.option("--port", default=80, show_default=True, type=click.IntRange(1, 65535),
              help="Port phones connect to.")
def lb_config(backends, host, port):
    """Print an HAProxy configuration for workers on several hosts (docs/scale-out.md)."""
    for b in backends:
        if not b.rpartition(":")[2].isdigit():
            raise click.ClickException(f"--backend {b}: write HOST:PORT, e.g. 10.0.0.11:5000")
    named = [(f"w{i}", b) for i, b in enumerate(backends, 1)]
    click.echo(haproxy_config(host, port, named, maxconn=50_000), nl=False)
