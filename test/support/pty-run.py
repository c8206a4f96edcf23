# Runs a command in a pseudo-terminal (stdin, stdout and stderr all a TTY), types Ctrl-C (the byte
# 0x03, as a keyboard does) once `when` appears in its output, and prints JSON: the end of the
# output, the exit code, and whether Ctrl-C was typed.
import fcntl, json, os, pty, select, struct, sys, termios, time

spec = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', 40, 120, 0, 0))
    os.execve(spec['argv'][0], spec['argv'], spec['env'])
out = b''
sent = False
deadline = time.time() + spec.get('timeout', 60)
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.1)
    if ready:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    if not sent and spec['when'].encode() in out:
        time.sleep(0.3)
        os.write(fd, b'\x03')
        sent = True
if time.time() >= deadline:
    os.kill(pid, 9)
_, status = os.waitpid(pid, 0)
print(json.dumps({'output': out[-3000:].decode('utf8', 'replace'), 'code': os.waitstatus_to_exitcode(status), 'sent': sent}))
