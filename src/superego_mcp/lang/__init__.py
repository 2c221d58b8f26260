"""Analysis of code in languages other than POSIX shell (Python, JavaScript, PowerShell).

Each module here turns source text into the same findings the shell analysis produces
(commands run, paths touched, URLs reached), with file:line, so the same rules judge them.
Nothing here is imported on the hook path unless a call carries code in that language.
"""
