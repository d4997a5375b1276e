package io.execgate.it;

/**
 * Programs, one per language, that try to open their launcher's (their parent's) memory,
 * environment, memory map and descriptors, and their own status as a control; each prints the same
 * lines. (Their own memory is no control in every image: busybox's shell runs a script's {@code sh}
 * as a fork of the launcher, without exec, so that shell is as unreadable as the launcher.)
 */
final class LauncherProbe {

  /** What every probe prints when the launcher is out of reach. */
  static final String EXPECTED = "self status open\nparent mem denied\nparent environ denied\nparent maps denied\n"
    + "parent fd denied\n";

  static final String SHELL = """
    p=$PPID
    if (: < /proc/self/status) 2>/dev/null; then echo "self status open"; else echo "self status denied"; fi
    for f in mem environ maps; do
      if (: < /proc/$p/$f) 2>/dev/null; then echo "parent $f open"; else echo "parent $f denied"; fi
    done
    if ls /proc/$p/fd >/dev/null 2>&1; then echo "parent fd open"; else echo "parent fd denied"; fi
    """;

  static final String PYTHON = """
    import os
    def probe(what, path, listing=False):
        try:
            os.listdir(path) if listing else os.close(os.open(path, os.O_RDONLY))
            print(what, "open")
        except PermissionError:
            print(what, "denied")
    pp = os.getppid()
    probe("self status", "/proc/self/status")
    for f in ("mem", "environ", "maps"):
        probe("parent " + f, f"/proc/{pp}/{f}")
    probe("parent fd", f"/proc/{pp}/fd", True)
    """;

  static final String NODE = """
    const fs = require('fs');
    function probe(what, path, listing) {
      try {
        if (listing) { fs.readdirSync(path); } else { fs.closeSync(fs.openSync(path, 'r')); }
        console.log(what + ' open');
      } catch (e) {
        console.log(what + (e.code === 'EACCES' || e.code === 'EPERM' ? ' denied' : ' ' + e.code));
      }
    }
    probe('self status', '/proc/self/status');
    for (const f of ['mem', 'environ', 'maps']) { probe('parent ' + f, '/proc/' + process.ppid + '/' + f); }
    probe('parent fd', '/proc/' + process.ppid + '/fd', true);
    """;

  private LauncherProbe() {
  }
}
