"""What a shell command looks like, for the desktop's risky-text check (POSIX sh, ``cmd.exe``,
PowerShell). :func:`risky_line` judges one line of typed text.

A line is split into shell segments at ``;``, ``&&``, ``||``, ``|``, ``&``, backticks and
``$(``, because each of them starts a new command. A line is risky when

* any segment starts with a **command word** (after a prompt such as ``$ ``, ``sudo``,
  ``VAR=value`` assignments, a directory and an ``.exe``-like suffix): POSIX words must be
  written as the shell spells them (lower case), so a sentence starting with "Cat" or "Echo"
  passes; Windows words are matched in any case. Common English words that are also commands
  (``format``, ``del``, ``start``, ``copy``...) count only with a switch or a drive
  (``del /s``, ``format c:``);
* or a **destructive pattern** appears anywhere (``rm -rf``, ``mkfs``, ``dd of=/dev/``, a fork
  bomb, a download piped into a shell, ``chmod -R 777 /``, ``powershell -enc``,
  ``reg delete``...).

These are heuristics that err on the side of asking: a user confirms, or passes ``yes``.
"""

from __future__ import annotations

import re

__all__ = ["risky_line"]

_POSIX_WORDS = frozenset(
    [
        "sudo",
        "su",
        "doas",
        "pkexec",
        "rm",
        "rmdir",
        "mv",
        "cp",
        "ln",
        "dd",
        "mkfs",
        "shred",
        "wipefs",
        "fdisk",
        "sfdisk",
        "parted",
        "mkswap",
        "swapoff",
        "chmod",
        "chown",
        "chgrp",
        "chattr",
        "curl",
        "wget",
        "bash",
        "sh",
        "zsh",
        "dash",
        "ksh",
        "fish",
        "csh",
        "tcsh",
        "python",
        "python2",
        "python3",
        "perl",
        "ruby",
        "php",
        "lua",
        "node",
        "kill",
        "killall",
        "pkill",
        "shutdown",
        "reboot",
        "halt",
        "poweroff",
        "telinit",
        "systemctl",
        "ssh",
        "scp",
        "sftp",
        "rsync",
        "nc",
        "ncat",
        "netcat",
        "socat",
        "telnet",
        "eval",
        "exec",
        "xargs",
        "nohup",
        "git",
        "pip",
        "pip3",
        "npm",
        "npx",
        "apt",
        "apt-get",
        "dpkg",
        "yum",
        "dnf",
        "pacman",
        "snap",
        "brew",
        "crontab",
        "cat",
        "ls",
        "cd",
        "echo",
        "export",
        "unset",
        "tee",
        "tar",
        "unzip",
        "sed",
        "awk",
        "passwd",
        "useradd",
        "userdel",
        "usermod",
        "visudo",
        "mount",
        "umount",
        "iptables",
        "ufw",
        "whoami",
        "uname",
        "xdg-open",
        "osascript",
        "base64",
        "truncate",
        "insmod",
        "rmmod",
        "modprobe",
    ]
)
_WINDOWS_WORDS = frozenset(
    [
        "cmd",
        "powershell",
        "pwsh",
        "diskpart",
        "regedit",
        "bcdedit",
        "vssadmin",
        "wmic",
        "taskkill",
        "schtasks",
        "netsh",
        "certutil",
        "bitsadmin",
        "mshta",
        "rundll32",
        "regsvr32",
        "icacls",
        "takeown",
        "wscript",
        "cscript",
        "msiexec",
        "robocopy",
        "xcopy",
        "iex",
        "irm",
        "iwr",
        "invoke-expression",
        "invoke-webrequest",
        "invoke-restmethod",
        "remove-item",
        "stop-computer",
        "restart-computer",
        "set-executionpolicy",
        "start-process",
        "new-service",
    ]
)
# English words that are also cmd.exe commands: risky only with a /switch or a drive letter.
_WINDOWS_AMBIGUOUS = frozenset(
    [
        "del",
        "erase",
        "rd",
        "rmdir",
        "format",
        "reg",
        "cipher",
        "net",
        "sc",
        "start",
        "copy",
        "move",
        "attrib",
        "shutdown",
        "ren",
    ]
)
_SUFFIX = re.compile(r"\.(?:exe|com|bat|cmd|ps1)$", re.IGNORECASE)
_SWITCH_OR_DRIVE = re.compile(r"(?:^|\s)(?:/[A-Za-z?]\w*|[A-Za-z]:(?:\\|\s|$))")
_SEGMENT_SPLIT = re.compile(r"&&|\|\||[;|&`]|\$\(")
_PROMPT = re.compile(r"^(?:PS [^>]*>|[A-Za-z]:\\[^>]*>|[$#%>])\s*")
_PREFIXES = frozenset(["nohup", "env", "time", "nice", "command", "builtin"])
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=\S*$")

_I = re.IGNORECASE
#: (pattern, why) pairs searched anywhere in a line.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\brm\s+(?:-\w*\s+)*-\w*[rRf]"), "recursive or forced rm"),
    (re.compile(r"\bmkfs(?:\.\w+)?\b"), "formats a file system"),
    (re.compile(r"\bdd\b.*\bof=/dev/"), "dd onto a device"),
    (re.compile(r">\s*/dev/(?:sd|hd|nvme|mmcblk|disk|vd)"), "writes onto a disk device"),
    (re.compile(r"\bchmod\s+(?:-\w+\s+)*-?\w*R\w*\s+\S+\s+/"), "recursive chmod of /"),
    (re.compile(r"\bchmod\s+(?:-\w+\s+)*[0-7]?777\s+/(?:\s|$)"), "chmod 777 /"),
    (re.compile(r"(\S+)\s*\(\)\s*\{.*\1\s*\|\s*\1"), "a fork bomb"),
    (re.compile(r"%0\s*\|\s*%0"), "a fork bomb"),
    (
        re.compile(r"\b(?:curl|wget|iwr|irm|invoke-webrequest)\b.*\|\s*(?:sudo\s+)?\w*sh\b", _I),
        "a download piped into a shell",
    ),
    (re.compile(r"\|\s*(?:sudo\s+)?(?:ba|z|da|k)?sh\b"), "piped into a shell"),
    (re.compile(r"\|\s*(?:iex|invoke-expression|python3?|perl|ruby)\b", _I), "piped into code"),
    (re.compile(r"\b(?:shutdown|reboot|poweroff|halt)\s+(?:[-/]\w+|now\b)", _I), "shuts down"),
    (re.compile(r"\bformat(?:\.com)?\s+(?:/\w+\s+)*[a-z]:", _I), "formats a drive"),
    (re.compile(r"\b(?:del|erase)\s+(?:\S+\s+)*/[sqfa]\b", _I), "deletes files (del /s /q)"),
    (re.compile(r"\b(?:rd|rmdir)\s+(?:\S+\s+)*/s\b", _I), "removes a directory tree"),
    (
        re.compile(r"\breg(?:\.exe)?\s+(?:delete|add|import|load|restore)\b", _I),
        "edits the registry",
    ),
    (
        re.compile(r"\b(?:powershell|pwsh)(?:\.exe)?\b.*\s-(?:e|ec|enc\w*|command|c)\b", _I),
        "runs encoded or inline PowerShell",
    ),
    (re.compile(r"\bremove-item\b.*-recurse", _I), "removes a directory tree"),
    (re.compile(r"\b(?:vssadmin|wbadmin)\b.*\bdelete\b", _I), "deletes backups"),
    (re.compile(r"\b(?:bcdedit|diskpart|cipher\s+/w)\b", _I), "edits disks or boot settings"),
    (re.compile(r"\bnet\s+(?:user|localgroup)\b.*\s/(?:add|delete)\b", _I), "edits accounts"),
    (re.compile(r"\$\{|\$\("), "shell substitution"),
    (re.compile(r">>?\s*[/~]"), "redirects into a system or home path"),
    (
        re.compile(r"(?:^|[\s='\"])(?:/etc/(?:passwd|shadow|sudoers)|~/\.ssh|/dev/sd)"),
        "touches system files",
    ),
    (re.compile(r"\b[a-z]:\\windows\\system32\b", _I), "touches system files"),
)


def _command_word(segment: str) -> str | None:
    """The command word a shell segment starts with, if it looks like one."""
    words = _PROMPT.sub("", segment.strip()).split()
    while words and (words[0] in _PREFIXES or _ASSIGNMENT.match(words[0])):
        words = words[1:]
    if not words:
        return None
    first = words[0]
    name = _SUFFIX.sub("", re.split(r"[\\/]", first)[-1])
    rest = " ".join(words[1:])
    if name in _POSIX_WORDS and (name == first or "/" in first):
        return name
    low = name.lower()
    if low in _WINDOWS_WORDS or (low in _POSIX_WORDS and name != first):
        return low
    if low in _WINDOWS_AMBIGUOUS and _SWITCH_OR_DRIVE.search(rest):
        return low
    return None


def risky_line(line: str) -> str | None:
    """Why one line of typed text looks like a shell command (``None`` when it does not)."""
    for pattern, why in _PATTERNS:
        if pattern.search(line):
            return why
    for segment in _SEGMENT_SPLIT.split(line):
        word = _command_word(segment)
        if word is not None:
            return f"it runs {word!r}"
    return None
