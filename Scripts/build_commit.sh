#!/bin/sh
# Writes Sources/tagstack/BuildCommit.generated.swift (git-ignored) with the checkout's commit, for
# `tagstack --version` (Sources/tagstack/Version.swift says how it is read). Rewritten only when its content
# changes, so an unchanged commit recompiles nothing. Outside a git checkout (a tarball, no git) the file is
# removed and the tool says it knows no commit. Run from the project's root (make build, make test).
f=Sources/tagstack/BuildCommit.generated.swift
if c=$(git rev-parse --short=12 HEAD 2>/dev/null); then
    git diff --quiet HEAD -- 2>/dev/null || c="$c-dirty"
    text="// Written by Scripts/build_commit.sh (make build, make test): git-ignored, do not edit.
extension BuildInfo: GeneratedBuildCommit { static var generatedCommit: String { \"$c\" } }"
    if [ ! -f "$f" ] || [ "$(cat "$f")" != "$text" ]; then printf '%s\n' "$text" > "$f.tmp" && mv "$f.tmp" "$f"; fi
else
    rm -f "$f"
fi
