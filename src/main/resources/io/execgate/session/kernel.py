# execgate's stateful Python kernel. One file, two roles:
#   kernel.py serve         the interpreter kept across a session's cells (started by the first client)
#   kernel.py client FILE BYTES
#                           one execution: hands its stdin/stdout/stderr to the interpreter, sends the
#                           cell read from FILE (and BYTES, the most bytes of rich outputs the execution
#                           returns), and exits with the cell's exit code
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
# a cell's rich outputs, under its out/; the gateway returns them as display frames and outputs, not files
DISPLAY = ".execgate-display"
# the most rich outputs one cell returns
MAX_OUTPUTS = 100
# the last expression's rich representations: method, file extension, whether binary
RICH = (("_repr_png_", "png", True), ("_repr_jpeg_", "jpg", True), ("_repr_svg_", "svg", False),
        ("_repr_html_", "html", False), ("_repr_markdown_", "md", False))


def _recv_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def client(cell_file, output_bytes):
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
    socket.send_fds(conn, [struct.pack(">QQ", len(code), output_bytes)], [0, 1, 2])
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
    state = {"outputs": 0, "bytes": 0, "budget": 0, "cut": False}
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)

    work = os.getcwd()
    shown = os.path.join(work, "out", DISPLAY)

    def begin_outputs(budget):
        # the previous cell's outputs went back with it
        import shutil
        try:
            if os.path.islink(shown) or (os.path.lexists(shown) and not os.path.isdir(shown)):
                os.unlink(shown)
            else:
                shutil.rmtree(shown, ignore_errors=True)
        except OSError:
            pass
        state.update(outputs=0, bytes=0, budget=budget, cut=False)

    def emit(ext, data):
        # one rich output, as out/.execgate-display/NNNN.ext; those past the most a cell returns, or
        # past the bytes the execution returns, are left out (and the end record says so)
        if state["budget"] <= 0:
            return
        if state["outputs"] >= MAX_OUTPUTS or state["bytes"] + len(data) > state["budget"]:
            state["cut"] = True
            return
        path = os.path.join(shown, "%04d.%s" % (state["outputs"] + 1, ext))
        try:
            os.makedirs(shown, exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
        except OSError:
            # e.g. /tmp full: a partial file would come back as a whole one
            state["cut"] = True
            try:
                os.unlink(path)
            except OSError:
                pass
            return
        state["outputs"] += 1
        state["bytes"] += len(data)

    def end_outputs():
        if state["budget"] <= 0 or not (state["outputs"] or state["cut"]):
            return
        try:
            os.makedirs(shown, exist_ok=True)
            with open(os.path.join(shown, "end"), "w") as f:
                f.write("%d %d\n" % (state["outputs"], 1 if state["cut"] else 0))
        except OSError:
            pass

    def figures():
        # every open figure, as PNG, then closed (plt.show() does the same mid-cell once pyplot is loaded)
        plt = sys.modules.get("matplotlib.pyplot")
        if plt is None:
            return
        try:
            import io
            for num in plt.get_fignums():
                # past the cap, or once one was left out, the rest are not even drawn: bounded time
                if state["cut"] or state["outputs"] >= MAX_OUTPUTS or state["budget"] <= 0:
                    state["cut"] = state["budget"] > 0
                    break
                buf = io.BytesIO()
                plt.figure(num).savefig(buf, format="png")
                emit("png", buf.getvalue())
        except Exception:
            traceback.print_exc()
        finally:
            try:
                plt.close("all")
            except Exception:
                pass

    def show_inline():
        plt = sys.modules.get("matplotlib.pyplot")
        if plt is not None and getattr(plt.show, "__name__", "") != "_execgate_show":
            def _execgate_show(*args, **kwargs):
                figures()
            plt.show = _execgate_show

    def display(value, text):
        # the last expression's rich representations, then its text/plain repr (a notebook's mime bundle)
        if isinstance(value, type):
            return
        bundle = []
        for attr, ext, binary in RICH:
            try:
                method = getattr(value, attr, None)
                data = method() if callable(method) else None
                if isinstance(data, tuple):
                    data = data[0]
                if binary and isinstance(data, str):
                    import base64
                    data = base64.b64decode(data)
                if isinstance(data, str):
                    data = data.encode("utf-8", "replace")
            except Exception:
                continue
            if isinstance(data, (bytes, bytearray)):
                bundle.append((ext, bytes(data)))
        if bundle:
            for ext, data in bundle + [("txt", text.encode("utf-8", "replace"))]:
                emit(ext, data)

    def run(source, output_bytes):
        begin_outputs(output_bytes)
        show_inline()
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
                        text = repr(value)
                        sys.stdout.write(text + "\n")
                        display(value, text)
                return 0
            finally:
                figures()
                end_outputs()
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
            head, fds, _, _ = socket.recv_fds(conn, 16, 3)
            length, output_bytes = struct.unpack(">QQ", head) if len(head) == 16 else (None, 0)
            source = _recv_exact(conn, length) if length is not None and len(fds) == 3 else None
            if source is None:
                code = None
                continue
            open(BUSY, "w").close()
            for fd, target in zip(fds, (0, 1, 2)):
                os.dup2(fd, target)
            sys.stdin = open(0, "r", closefd=False)
            code = run(source.decode("utf-8", "replace"), output_bytes)
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
        sys.exit(client(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 0))
