"""The command hook (fail-closed runner, its fork/pipe messages, compiled-policy cache),
every agent's adapter (``hook.agents``) and the installers."""
