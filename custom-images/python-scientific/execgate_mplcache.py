"""Seeds matplotlib's font cache in a fresh sandbox.

Sandboxes start with an empty /tmp, where MPLCONFIGDIR points (the root filesystem is read-only), so
matplotlib would rebuild its font list on every execution (200-300 ms, against 1 ms to load it). The image builds the list
once (in SEED below); at interpreter start (execgate_mplcache.pth) this copies it into MPLCONFIGDIR
when it is not there yet. It never fails the interpreter: any error leaves matplotlib to rebuild.
"""
import os

SEED = "/usr/share/execgate/matplotlib"


def _seed():
    target = os.environ.get("MPLCONFIGDIR")
    if not target or not os.path.isdir(SEED):
        return
    for name in os.listdir(SEED):
        if not name.startswith("fontlist-"):
            continue
        dst = os.path.join(target, name)
        if os.path.exists(dst):
            continue
        os.makedirs(target, exist_ok=True)
        with open(os.path.join(SEED, name), "rb") as src, open(dst, "xb") as out:
            out.write(src.read())


try:
    _seed()
except Exception:
    pass
