# The files the wheel build reads: the package's source for Nix, and the part of the checks'
# source that is the package. README.md is here because pyproject.toml names it as the readme.
{ lib }:
lib.fileset.unions [
  ../pyproject.toml
  ../uv.lock
  ../README.md
  ../hatch_build.py
  ../src
]
