# execgate's stateful Python kernel. One file, two roles:
#   kernel.py serve         the interpreter kept across a session's cells (started by the first client)
#   kernel.py client FILE   one execution: hands its stdin/stdout/stderr to the interpreter, sends the
#                           cell read from FILE, and exits with the cell's exit code
# The client passes its descriptors over a Unix socket (SCM_RIGHTS), so the cell writes straight to
# the execution's streams (live, unbuffered) and reads its stdin; forked children inherit them.
import os
import socket
import struct
import sys

DIR = os.environ.get("EXECGATE_KERNEL_DIR", "/tmp/.execgate")
SOCK = DIR + "/kernel.sock"
PID = DIR + "/kernel.pid"
BUSY = DIR + "/busy"
EXIT = DIR + "/exit"


def _recv_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def client(cell_file):
    with open(cell_file, "rb") as f:
        code = f.read()
    try:
        os.unlink(cell_file)
    except OSError:
        pass
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(SOCK)
    except OSError:
        conn.close()
        conn = _start()
    if conn is None:
        sys.stderr.write("execgate: the Python interpreter could not be started\n")
        return 125
    socket.send_fds(conn, [struct.pack(">Q", len(code))], [0, 1, 2])
    conn.sendall(code)
    reply = _recv_exact(conn, 4)
    if reply is not None:
        return struct.unpack(">i", reply)[0]
    # the interpreter died during the cell: its wrapper records how
    import time
    status = None
    for _ in range(100):
        try:
            with open(EXIT) as f:
                status = int(f.read().strip() or "0")
            break
        except (OSError, ValueError):
            time.sleep(0.01)
    how = "exited with code %d" % status if status is not None and status < 128 else \
        "was killed by signal %d" % (status - 128) if status is not None else "died"
    sys.stderr.write("\nexecgate: the Python interpreter %s during this cell; the next cell starts a fresh "
                     "interpreter (variables and imports are gone)\n" % how)
    return status if status else 1


def _start():
    import subprocess
    import time
    os.makedirs(DIR, exist_ok=True)
    for stale in (SOCK, PID, BUSY, EXIT):
        try:
            os.unlink(stale)
        except OSError:
            pass
    env = dict(os.environ)
    env["MPLBACKEND"] = "Agg"
    # the wrapper shell records how the interpreter ended, for the client of the cell that ended it
    subprocess.Popen(["/bin/sh", "-c", 'python3 -u "$0" serve; echo $? > ' + EXIT, os.path.abspath(__file__)],
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True, env=env, close_fds=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            conn.connect(SOCK)
            return conn
        except OSError:
            conn.close()
            time.sleep(0.005)
    return None


def serve():
    import ast
    import builtins
    import linecache
    import signal
    import traceback
    import types

    main = types.ModuleType("__main__")
    main.__dict__["__builtins__"] = builtins
    sys.modules["__main__"] = main
    namespace = main.__dict__
    state = {"last": [], "display": 0}
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)

    def outputs(names):
        # a cell's figures and displays go back through out/, as the execution's files; the next cell removes them
        os.makedirs("out", exist_ok=True)
        for name in names:
            state["last"].append(os.path.abspath(os.path.join("out", name)))
        return [os.path.join("out", n) for n in names]

    def figures():
        plt = sys.modules.get("matplotlib.pyplot")
        if plt is None:
            return
        try:
            numbers = plt.get_fignums()
            for i, num in enumerate(numbers, 1):
                path, = outputs(["figure-%d.png" % i])
                plt.figure(num).savefig(path, format="png")
            plt.close("all")
        except Exception:
            traceback.print_exc()

    def display(value):
        for attr, ext, binary in (("_repr_png_", "png", True), ("_repr_svg_", "svg", False),
                                  ("_repr_html_", "html", False)):
            method = getattr(value, attr, None)
            if method is None or isinstance(value, type):
                continue
            try:
                data = method()
            except Exception:
                continue
            if data is None:
                continue
            if isinstance(data, tuple):
                data = data[0]
            if binary and isinstance(data, str):
                import base64
                data = base64.b64decode(data)
            if not binary and isinstance(data, bytes):
                data = data.decode("utf-8", "replace")
            state["display"] += 1
            path, = outputs(["display-%d.%s" % (state["display"], ext)])
            with open(path, "wb" if binary else "w") as f:
                f.write(data)

    def run(source):
        for path in state["last"]:
            try:
                os.unlink(path)
            except OSError:
                pass
        state["last"] = []
        state["display"] = 0
        state["cells"] = state.get("cells", 0) + 1
        name = "<cell %d>" % state["cells"]
        linecache.cache[name] = (len(source), None, source.splitlines(True), name)
        try:
            tree = ast.parse(source, name, "exec")
        except SyntaxError:
            traceback.print_exc(limit=0)
            return 1
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        try:
            try:
                exec(compile(tree, name, "exec"), namespace)
                if last is not None:
                    value = eval(compile(last, name, "eval"), namespace)
                    if value is not None:
                        namespace["_"] = value
                        sys.stdout.write(repr(value) + "\n")
                        display(value)
                return 0
            finally:
                figures()
        except SystemExit as e:
            code = e.code
            if code is None:
                return 0
            if isinstance(code, int):
                return code & 0xff
            sys.stderr.write(str(code) + "\n")
            return 1
        except BaseException as e:
            tb = e.__traceback__.tb_next if e.__traceback__ is not None else None
            traceback.print_exception(type(e), e, tb)
            return 130 if isinstance(e, KeyboardInterrupt) else 1

    import warnings
    warnings.filterwarnings("ignore", message=".*non-interactive.*")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(SOCK + ".new")
    listener.listen(4)
    os.rename(SOCK + ".new", SOCK)
    with open(PID + ".new", "w") as f:
        f.write("%d %d\n" % (os.getpid(), os.getppid()))
    os.rename(PID + ".new", PID)
    while True:
        conn = None
        fds = []
        try:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            conn, _ = listener.accept()
            head, fds, _, _ = socket.recv_fds(conn, 8, 3)
            source = _recv_exact(conn, struct.unpack(">Q", head)[0]) if len(head) == 8 and len(fds) == 3 else None
            if source is None:
                code = None
                continue
            open(BUSY, "w").close()
            for fd, target in zip(fds, (0, 1, 2)):
                os.dup2(fd, target)
            sys.stdin = open(0, "r", closefd=False)
            code = run(source.decode("utf-8", "replace"))
        except KeyboardInterrupt:
            # between cells, or after the cell ended: nothing to interrupt
            code = 130
        finally:
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except Exception:
                    pass
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            for fd in fds:
                os.close(fd)
            try:
                os.unlink(BUSY)
            except OSError:
                pass
        if conn is None:
            continue
        try:
            if code is not None:
                conn.sendall(struct.pack(">i", code))
        except OSError:
            pass
        finally:
            conn.close()


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve()
    else:
        sys.exit(client(sys.argv[2]))
