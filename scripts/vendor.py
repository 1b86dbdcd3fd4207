"""Vendor the pinned front-end assets from the npm registry into server/static/vendor/.

The manifest's `data_packages` are data files vendored the same way into the folder each
names (`into`, e.g. the word filter's lists in workshop/wordlists/), each folder with its own
SHA256SUMS and README.md. Run it only to change a pinned version (edit scripts/vendor.json
first); the vendored files are checked in, so a fresh machine needs neither npm nor the internet.

    python scripts/vendor.py           # download with `npm pack`, verify, copy
    python scripts/vendor.py --check   # offline: the files on disk match SHA256SUMS
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "scripts" / "vendor.json"
VENDOR = ROOT / "server" / "static" / "vendor"
SUMS = VENDOR / "SHA256SUMS"
NOTICE = VENDOR / "README.md"
_SOURCE_MAP = re.compile(rb"\n?//# sourceMappingURL=\S+\s*$")


class VendorError(Exception):
    """A download or a check that failed; the message says what to do."""


def load_manifest(path: Path = MANIFEST) -> list[dict]:
    """Return the pinned front-end packages of the manifest."""
    return json.loads(path.read_text(encoding="utf-8"))["packages"]


def load_data_packages(path: Path = MANIFEST) -> dict[Path, list[dict]]:
    """Return the pinned data packages of the manifest by the folder each is vendored into."""
    by_folder: dict[Path, list[dict]] = {}
    for pkg in json.loads(path.read_text(encoding="utf-8")).get("data_packages", []):
        by_folder.setdefault(ROOT / pkg["into"], []).append(pkg)
    return by_folder


def sri_sha512(data: bytes) -> str:
    """Return the Subresource-Integrity string npm uses for a tarball."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def npm_pack(name: str, version: str, workdir: Path) -> Path:
    """Download one exact package version as a tarball with `npm pack`; return its path."""
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError("npm is not installed; install Node.js, or keep the checked-in files")
    spec = f"{name}@{version}"
    proc = subprocess.run([npm, "pack", spec, "--json", "--ignore-scripts",
                           "--pack-destination", str(workdir)],
                          cwd=workdir, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise VendorError(f"npm pack {spec} failed: {proc.stderr.strip().splitlines()[-1:]}")
    filename = json.loads(proc.stdout)[0]["filename"]
    return workdir / Path(filename).name


def member(tar: tarfile.TarFile, path: str) -> bytes:
    """Return one regular file of a package tarball (npm puts everything under package/)."""
    info = tar.getmember(f"package/{path}")
    if not info.isfile():
        raise VendorError(f"package/{path} is not a regular file")
    return tar.extractfile(info).read()


def css_blocks(css: str, names: list[str]) -> str:
    """Cut the named `/* name */ @font-face {...}` blocks out of a fontsource stylesheet."""
    out = []
    for name in names:
        match = re.search(r"/\* " + re.escape(name) + r" \*/\s*@font-face\s*\{[^}]*\}", css)
        if match is None:
            raise VendorError(f"no @font-face block '{name}' in the package's stylesheet")
        out.append(match.group(0).replace("./files/", "./"))
    return "\n\n".join(out) + "\n"


def vendor(packages: list[dict], dest: Path = VENDOR) -> dict[str, str]:
    """Download, verify and copy every package; return {relative path: sha256}."""
    written: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="wk-vendor-") as tmp:
        for pkg in packages:
            tarball = npm_pack(pkg["name"], pkg["version"], Path(tmp))
            data = tarball.read_bytes()
            if sri_sha512(data) != pkg["integrity"]:
                raise VendorError(f"{pkg['name']}@{pkg['version']}: the tarball's sha512 does not "
                                  f"match scripts/vendor.json; refusing to vendor it")
            with tarfile.open(tarball, "r:gz") as tar:
                outputs = []
                for item in pkg["files"]:
                    body = member(tar, item["from"])
                    if item.get("strip_source_map"):
                        body = _SOURCE_MAP.sub(b"\n", body)
                    outputs.append((item["to"], body))
                if "css" in pkg:
                    css = member(tar, pkg["css"]["from"]).decode("utf-8")
                    outputs.append((pkg["css"]["to"],
                                    css_blocks(css, pkg["css"]["blocks"]).encode("utf-8")))
            for rel, body in outputs:
                target = dest / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(body)
                written[rel] = hashlib.sha256(body).hexdigest()
            print(f"vendored {pkg['name']}@{pkg['version']} ({len(outputs)} files)")
    return written


def write_notice(packages: list[dict], sums: dict[str, str], dest: Path = VENDOR,
                 title: str = "Vendored front-end assets") -> None:
    """Write SHA256SUMS and a README that names each package, version and licence."""
    (dest / "SHA256SUMS").write_text(
        "".join(f"{digest}  {rel}\n" for rel, digest in sorted(sums.items())), encoding="utf-8")
    lines = [f"# {title}", "",
             "Written by `scripts/vendor.py` from the pins in `scripts/vendor.json`; do not edit",
             "by hand. Each package's own licence text sits beside its files.", "",
             "| package | version | licence | files |", "| --- | --- | --- | --- |"]
    for pkg in packages:
        files = [f["to"] for f in pkg["files"]] + ([pkg["css"]["to"]] if "css" in pkg else [])
        lines.append(f"| {pkg['name']} | {pkg['version']} | {pkg['license']} | "
                     f"{', '.join('`' + f + '`' for f in files)} |")
    (dest / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def check(dest: Path = VENDOR) -> list[str]:
    """Return the problems with the vendored files on disk (empty when all match)."""
    if not (dest / "SHA256SUMS").is_file():
        return [f"{dest / 'SHA256SUMS'} is missing; run scripts/vendor.py"]
    problems = []
    for line in (dest / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, rel = line.split("  ", 1)
        path = dest / rel
        if not path.is_file():
            problems.append(f"{rel}: missing")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            problems.append(f"{rel}: changed since it was vendored")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Vendor the pinned assets, or check them with --check."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify the files on disk, offline")
    args = parser.parse_args(argv)
    data = load_data_packages()
    if args.check:
        problems = check() + [f"{folder.relative_to(ROOT).as_posix()}/{problem}"
                              for folder in data for problem in check(folder)]
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    packages = load_manifest()
    try:
        sums = vendor(packages)
        data_sums = {folder: vendor(pkgs, folder) for folder, pkgs in data.items()}
    except VendorError as exc:
        print(f"vendor: {exc}", file=sys.stderr)
        return 1
    write_notice(packages, sums)
    for folder, pkgs in data.items():
        write_notice(pkgs, data_sums[folder], folder, title="Vendored data files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
