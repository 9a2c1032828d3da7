"""What a program started in a guest does: its exit code, how long it runs, and what it
writes where its arguments redirect its output (``> /tmp/out.txt``, ``2> err``, ``>> log``),
as the guest's shell would.

A ProgramBehaviour decides. The default one looks up the VM's fixture entry
``guest_programs`` (the first entry whose ``path`` and ``arguments`` match), then a few
commands it knows (``echo``, ``cat``, ``hostname``, ``sleep``, ``true``, ``false``,
``whoami``, ``exit N`` in a shell), and otherwise exits 0 at once. Fault rules change one
call (``guest_fail``, ``guest_hang`` on StartProgramInGuest) and an embedding program may
replace the behaviour (``Simulator.set_program_behaviour``).
"""
import fnmatch
import re
import shlex

SHELLS = ("bash", "sh", "zsh", "dash", "cmd.exe", "cmd", "powershell.exe", "powershell")
# Redirections a shell applies: operator -> (stream, append)
REDIRECTIONS = {">": ("stdout", False), "1>": ("stdout", False), ">>": ("stdout", True),
                "1>>": ("stdout", True), "2>": ("stderr", False), "2>>": ("stderr", True),
                "<": ("stdin", False), "&>": ("both", False)}
_REDIRECTION = re.compile(r"^(&>|1>>|2>>|>>|1>|2>|>|<)(.*)$")
TERMINATED_EXIT_CODE = 143  # a POSIX process ended by SIGTERM (128 + 15)


class ProgramOutcome:
    """How one program run ends: after ``seconds`` of clock time with ``exit_code``, having
    written ``stdout`` and ``stderr``; ``hang`` runs until terminated."""

    def __init__(self, exit_code=0, seconds=0.0, stdout="", stderr="", hang=False):
        self.exit_code, self.seconds = int(exit_code), float(seconds)
        self.stdout, self.stderr, self.hang = stdout, stderr, bool(hang)


class Command:
    """A program call as the guest sees it: the program, its words, the redirections, and
    for a shell's ``-c`` the commands it runs one after the other (``;``, ``&&``, ``||``)."""

    def __init__(self, program_path, arguments, windows):
        self.program_path = program_path
        self.arguments = arguments or ""
        self.windows = windows
        self.name = re.split(r"[\\/]", program_path)[-1]
        self.redirections = []  # (stream, path, append)
        words = self._words(self._tokens(self.arguments, ""))
        self.words = words
        # [(argv, how it follows the one before: None, ";", "&&" or "||")]
        self.sequence = [([self.name] + words, None)]
        if self.name.lower() in SHELLS and len(words) >= 2 and \
                words[0].lower() in ("-c", "/c", "-command"):
            self.sequence = self._sequence(" ".join(words[1:]))

    def _tokens(self, text, punctuation):
        try:
            lexer = shlex.shlex(text, posix=not self.windows, punctuation_chars=punctuation)
            lexer.whitespace_split = True
            return list(lexer)
        except ValueError:
            return text.split()

    def _sequence(self, text):
        sequence, current, connector = [], [], None
        for token in self._tokens(text, ";&|"):
            if token in (";", "&&", "||", "&"):
                sequence.append((self._words(current), connector))
                current, connector = [], token
            else:
                current.append(token)
        sequence.append((self._words(current), connector))
        return [(argv, how) for argv, how in sequence if argv]

    def _words(self, tokens):
        """The words of a command, its redirections taken out into ``redirections``."""
        out = []
        pending = None
        for word in tokens:
            if pending is not None:
                self.redirections.append((pending[0], word, pending[1]))
                pending = None
                continue
            match = _REDIRECTION.match(word)
            if match is None:
                out.append(word)
                continue
            stream, append = REDIRECTIONS[match.group(1)]
            if match.group(2):
                self.redirections.append((stream, match.group(2), append))
            else:
                pending = (stream, append)
        return out

    def argv(self):
        """The (first) command that runs: the shell's inner one, or the program's."""
        return self.sequence[0][0] if self.sequence else []

    def redirected(self, stream):
        return [(path, append) for s, path, append in self.redirections
                if s == stream or (s == "both" and stream in ("stdout", "stderr"))]


class ProgramBehaviour:
    """The default guest programs (see the module's docstring)."""

    def program(self, vm, spec, command, account, guest):
        """The ProgramOutcome of ``spec`` (a GuestProgramSpec; ``command`` is it parsed, a
        Command) run by ``account`` on ``vm``, whose guest (a GuestSystem) holds the
        fixture's ``plan`` and reads its files (``guest.read_file(path)``: bytes or None)."""
        for entry in guest.plan.get("guest_programs") or ():
            if _matches(entry, spec):
                return ProgramOutcome(entry.get("exit_code", 0), entry.get("seconds", 0),
                                      entry.get("stdout", ""), entry.get("stderr", ""),
                                      entry.get("hang", False))
        return builtin(vm, command, account, guest.read_file)


def _matches(entry, spec):
    path = entry.get("path")
    if path is not None and not fnmatch.fnmatchcase(spec.programPath, path) and \
            not fnmatch.fnmatchcase(re.split(r"[\\/]", spec.programPath)[-1], path):
        return False
    arguments = entry.get("arguments")
    return arguments is None or re.search(arguments, spec.arguments or "") is not None


def builtin(vm, command, account, read_file):
    """The commands vimsim knows, run in their sequence; anything else exits 0 at once."""
    out, err, seconds, code = [], [], 0.0, 0
    for argv, how in command.sequence:
        if (how == "&&" and code != 0) or (how == "||" and code == 0):
            continue
        if _name(argv[0]) == "exit":
            code = _int(argv[1] if len(argv) > 1 else "0", 0) & 0xFF
            break
        outcome = _one(vm, argv, command, account, read_file)
        out.append(outcome.stdout)
        err.append(outcome.stderr)
        seconds += outcome.seconds
        code = outcome.exit_code
    return ProgramOutcome(code, seconds, "".join(out), "".join(err))


def _name(word):
    name = re.split(r"[\\/]", word)[-1].lower()
    return name[:-4] if name.endswith(".exe") else name


def _one(vm, argv, command, account, read_file):
    name, words = _name(argv[0]), argv[1:]
    if name == "echo":
        return ProgramOutcome(stdout=" ".join(words) + "\n")
    if name == "hostname":
        return ProgramOutcome(stdout=vm.host_name + "\n")
    if name == "whoami":
        return ProgramOutcome(stdout=account.username + "\n")
    if name == "false":
        return ProgramOutcome(exit_code=1)
    if name == "sleep":
        return ProgramOutcome(seconds=max(0.0, _float(words[0] if words else "0")))
    if name in ("cat", "type"):
        sources = words or [path for path, _ in command.redirected("stdin")]
        out, err, code = [], [], 0
        for path in sources:
            data = read_file(path)
            if data is None:
                err.append("%s: %s: No such file or directory\n" % (name, path))
                code = 1
            else:
                out.append(data.decode("utf-8", "replace"))
        return ProgramOutcome(code, stdout="".join(out), stderr="".join(err))
    return ProgramOutcome()


def _int(text, default):
    try:
        return int(text)
    except ValueError:
        return default


def _float(text):
    try:
        return float(text)
    except ValueError:
        return 0.0
