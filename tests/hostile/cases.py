"""One hostile input per class, for every loader: what a careless or hostile user may hand `innograph ingest`.

A `Case` writes its input under a folder and says what must happen: the exit status, a regular
expression the output must match (the one line a user reads, with file:line when a row is at fault) and
whether the store must be unchanged (a refused row or file) or may change with the value cleaned.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# ------------------------------------------------------------------------------------------ inputs


@dataclass(frozen=True)
class Case:
    id: str
    source: str  # the loader: csv, cordis, interreg, erdf, agencies, registry
    make: Callable[[Path], Path]  # writes the input under a folder, returns the PATH to ingest
    code: int  # expected exit status
    expect: str  # a regular expression the output matches
    unchanged: bool = True  # the store's content hash is the same afterwards
    clean: str | None = None  # when the store changes: a value that must be stored without control chars
    env: tuple[tuple[str, str], ...] = ()
    # loaded first, so that the hash compares only what the hostile part adds (the good rows beside it)
    baseline: Callable[[Path], Path] | None = None
    # the command the input is given to, when not `ingest SOURCE` (a call list: `calls match`)
    command: tuple[str, ...] = ()

    def args(self) -> tuple[str, ...]:
        return self.command or ("ingest", self.source)


def _write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


# -- user CSV ----------------------------------------------------------------------------------------
ACTORS_HEADER = "id,name,kind,country,county_code,pic\n"
PROJECTS_HEADER = "id,title,programme,budget,currency\n"
PARTS_HEADER = "actor_id,project_id,role,contribution\n"
KNOWN_PART = "se:region-blekinge,seed:kickstart-s3,partner,{}\n"


def csv_folder(files: dict[str, str | bytes]) -> Callable[[Path], Path]:
    def make(root: Path) -> Path:
        folder = root / "in"
        for name, content in files.items():
            _write(folder / name, content)
        return folder

    return make


def contribution(value: str) -> Callable[[Path], Path]:
    return csv_folder({"participations.csv": PARTS_HEADER + KNOWN_PART.format(value)})


def actor_row(row: str) -> Callable[[Path], Path]:
    return csv_folder({"actors.csv": ACTORS_HEADER + row + "\n"})


def _big_actors_with_late_nul() -> bytes:
    rows = [f"reg:a{i},Actor number {i},company,SE,10,\n" for i in range(2500)]
    body = "".join(rows).encode()
    assert len(body) > 65536
    return ACTORS_HEADER.encode() + body + b"reg:nul,Evil\x00 Name AB,company,SE,10,\n"


CSV_CASES = [
    Case(
        "csv-contribution-inf",
        "csv",
        contribution("inf"),
        0,
        r"participations\.csv:2: contribution 'inf' is not a finite amount",
    ),
    Case(
        "csv-contribution-Infinity",
        "csv",
        contribution("Infinity"),
        0,
        r"participations\.csv:2: contribution 'Infinity' is not a finite",
    ),
    Case(
        "csv-contribution-1e400",
        "csv",
        contribution("1e400"),
        0,
        r"participations\.csv:2: contribution '1e400' is not a finite",
    ),
    Case(
        "csv-contribution-nan",
        "csv",
        contribution("NaN"),
        0,
        r"participations\.csv:2: non-numeric contribution: 'NaN'",
    ),
    Case(
        "csv-contribution-negative",
        "csv",
        contribution("-5"),
        0,
        r"participations\.csv:2: contribution '-5' is negative",
    ),
    Case(
        "csv-contribution-huge",
        "csv",
        contribution("5e15"),
        0,
        r"participations\.csv:2: contribution '5e15' is above",
    ),
    Case(
        "csv-budget-inf",
        "csv",
        csv_folder({"projects.csv": PROJECTS_HEADER + "reg:p,A project,Other,inf,EUR\n"}),
        0,
        r"projects\.csv:2: budget 'inf' is not a finite amount",
    ),
    Case(
        "csv-long-id",
        "csv",
        actor_row(f"reg:{'x' * 400},Long Id AB,company,SE,10,"),
        0,
        r"actors\.csv:2: id is 404 characters long",
    ),
    Case(
        "csv-long-name",
        "csv",
        actor_row(f"reg:long,{'N' * 10_000},company,SE,10,"),
        0,
        r"actors\.csv:2: name is 10,000 characters long",
    ),
    Case(
        "csv-pic-superscript",
        "csv",
        actor_row("reg:pic,Pic AB,company,SE,10,²²²²²²"),
        0,
        r"actors\.csv:2: pic '²²²²²²' is not a PIC",
    ),
    Case(
        "csv-id-control",
        "csv",
        actor_row("reg:evil\x1b[31m,Evil AB,company,SE,10,"),
        0,
        r"actors\.csv:2: id .* contains control or invisible characters",
    ),
    Case(
        "csv-name-terminal-escape",
        "csv",
        actor_row("reg:esc,Evil\x1b[2J\x1b[31m AB,company,SE,10,"),
        0,
        r"actors\.csv:2: control characters removed from name \(row kept\)",
        unchanged=False,
        clean="reg:esc",
    ),
    Case(
        "csv-name-rtl-override",
        "csv",
        actor_row("reg:rtl,Invoice\u202egpj.exe AB,company,SE,10,"),
        0,
        r"actors\.csv:2: control characters removed from name",
        unchanged=False,
        clean="reg:rtl",
    ),
    Case(
        "csv-nul-after-64k",
        "csv",
        csv_folder({"actors.csv": _big_actors_with_late_nul()}),
        0,
        r"actors\.csv:2502: control characters removed from name",
        unchanged=False,
        clean="reg:nul",
    ),
    Case(
        "csv-unbalanced-quote",
        "csv",
        csv_folder(
            {
                "actors.csv": ACTORS_HEADER
                + 'reg:q1,"Quoted AB,company,SE,10,\nreg:q2,Second AB,company,SE,10,\nreg:q3,Third AB,company,SE,10,\n'
            }
        ),
        0,
        r"actors\.csv:2: .*unbalanced quote .*swallowed lines 3–4",
    ),
    Case(
        "csv-unbalanced-quote-wrong-count",
        "csv",
        csv_folder(
            {
                "participations.csv": PARTS_HEADER
                + 'se:region-blekinge,"seed:kickstart-s3,partner,100\nse:techtank,seed:kickstart-s3,"partner,5\n'
            }
        ),
        0,
        r"participations\.csv:2: wrong column count: .*unbalanced quote",
    ),
    Case(
        "csv-binary-no-nul",
        "csv",
        csv_folder({"actors.csv": bytes(range(1, 32)) * 200}),
        1,
        r"actors\.csv: not a CSV file \(binary content\)",
    ),
    Case(
        "csv-binary-nul",
        "csv",
        csv_folder({"actors.csv": b"\x00\x01\x02" * 100}),
        1,
        r"actors\.csv: not a CSV file \(binary content\)",
    ),
    Case(
        "csv-utf16",
        "csv",
        csv_folder({"actors.csv": ACTORS_HEADER.encode("utf-16")}),
        1,
        r"actors\.csv: not a CSV file",
    ),
    Case(
        "csv-zip-as-csv",
        "csv",
        csv_folder({"projects.csv": b"PK\x03\x04" + b"\x00" * 40}),
        1,
        r"projects\.csv: not a CSV file \(a zip archive\)",
    ),
    Case("csv-empty", "csv", csv_folder({"actors.csv": b""}), 1, r"actors\.csv: the file is empty"),
    Case(
        "csv-wrong-delimiter",
        "csv",
        csv_folder({"actors.csv": "id;name;kind;country;county_code\nx:a;A;;;\n"}),
        1,
        r"actors\.csv: wrong delimiter",
    ),
    Case(
        "csv-conflicting-duplicate",
        "csv",
        csv_folder(
            {
                "actors.csv": ACTORS_HEADER
                + "reg:dup,First Name AB,company,SE,10,\nreg:dup,Other Name AB,university,SE,10,\n"
            }
        ),
        0,
        r"actors\.csv:3: reg:dup again \(first at line 2\) with a different name, kind",
        unchanged=False,
    ),
]

# -- CORDIS ------------------------------------------------------------------------------------------
P_HEAD = '"id";"acronym";"title";"startDate";"endDate";"frameworkProgramme";"totalCost";"ecMaxContribution"\n'
O_HEAD = '"projectID";"organisationID";"name";"role";"country";"ecContribution"\n'
P_OK = '"101";"ACR";"A title";"2022-01-01";"2024-12-31";"HORIZON";"1000";"900"\n'


def cordis(project: str = P_OK, org: str = "", *, zipped: bool = False) -> Callable[[Path], Path]:
    def make(root: Path) -> Path:
        files = {"project.csv": P_HEAD + project, "organization.csv": O_HEAD + org}
        if zipped:
            z = root / "cordis.zip"
            with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
                for n, c in files.items():
                    zf.writestr(f"csv/{n}", c)
            return z
        folder = root / "cordis"
        for n, c in files.items():
            _write(folder / n, c)
        return folder

    return make


def _org(pic: str = "999000111", name: str = "Org AB", ec: str = "100", pid: str = "101") -> str:
    return f'"{pid}";"{pic}";"{name}";"participant";"SE";"{ec}"\n'


def _bomb(root: Path, size: int = 32 * 1024 * 1024) -> Path:
    """A zip whose organization.csv expands about 1,000 times (zeros), beside a normal project.csv."""
    z = root / "bomb.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("project.csv", P_HEAD + P_OK)
        with zf.open("organization.csv", "w", force_zip64=True) as f:
            f.write(O_HEAD.encode())
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(size // len(chunk)):
                f.write(chunk)
    return z


def _corrupt_member(root: Path) -> Path:
    """A zip whose organization.csv's compressed bytes are damaged (zlib error or a CRC mismatch)."""
    z = root / "corrupt.zip"
    body = (O_HEAD + _org() * 2000).encode()
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.csv", P_HEAD + P_OK)
        zf.writestr("organization.csv", body)
    raw = bytearray(z.read_bytes())
    with zipfile.ZipFile(z) as zf:
        info = zf.getinfo("organization.csv")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 20, start + min(info.compress_size, 400)):
        raw[i] ^= 0x5A
    z.write_bytes(bytes(raw))
    return z


def _binary_project(root: Path) -> Path:
    _write(root / "c" / "organization.csv", O_HEAD)
    return _write(root / "c" / "project.csv", bytes(range(1, 32)) * 100).parent


def _big_member(root: Path) -> Path:
    """A zip with a 3 MB organization.csv of ordinary rows (compresses normally): over a 1 MB input limit."""
    z = root / "big.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.csv", P_HEAD + P_OK)
        zf.writestr("organization.csv", O_HEAD + "".join(_org(pic=str(100000000 + i)) for i in range(60000)))
    return z


CORDIS_CASES = [
    Case(
        "cordis-totalcost-inf",
        "cordis",
        cordis(P_OK.replace('"1000"', '"inf"')),
        0,
        r"project\.csv:2: totalCost 'inf' is not a finite amount",
    ),
    Case(
        "cordis-ecmax-1e400",
        "cordis",
        cordis(P_OK.replace('"900"', '"1e400"')),
        0,
        r"project\.csv:2: ecMaxContribution '1e400' is not a finite",
    ),
    Case(
        "cordis-ec-1e309",
        "cordis",
        cordis(org=_org(ec="1e309")),
        0,
        r"organization\.csv:2: ecContribution '1e309' is not a finite",
        baseline=cordis(),
    ),
    Case(
        "cordis-ec-negative",
        "cordis",
        cordis(org=_org(ec="-100")),
        0,
        r"organization\.csv:2: ecContribution '-100' is negative",
        baseline=cordis(),
    ),
    Case(
        "cordis-ec-infinity",
        "cordis",
        cordis(org=_org(ec="Infinity")),
        0,
        r"organization\.csv:2: ecContribution 'Infinity' is not a finite",
        baseline=cordis(),
    ),
    Case(
        "cordis-ec-text",
        "cordis",
        cordis(org=_org(ec="lots")),
        0,
        r"organization\.csv:2: non-numeric ecContribution: 'lots'",
        baseline=cordis(),
    ),
    Case(
        "cordis-long-id",
        "cordis",
        cordis(P_OK.replace('"101"', f'"{"1" * 400}"')),
        0,
        r"project\.csv:2: id is 400 characters long",
    ),
    Case(
        "cordis-pic-superscript",
        "cordis",
        cordis(org=_org(pic="²²²²²²")),
        0,
        r"organization\.csv:2: organisationID '²²²²²²' is not a PIC",
        baseline=cordis(),
    ),
    Case(
        "cordis-long-name",
        "cordis",
        cordis(org=_org(name="N" * 10_000)),
        0,
        r"organization\.csv:2: name is 10,000 characters long",
        baseline=cordis(),
    ),
    Case(
        "cordis-name-escape",
        "cordis",
        cordis(org=_org(name="Evil\x1b]0;pwned\x07 Org")),
        0,
        r"organization\.csv:2: organisation 999000111: control characters removed from name",
        unchanged=False,
        clean="cordis:999000111",
    ),
    Case(
        "cordis-unbalanced-quote",
        "cordis",
        cordis(org='"101";"999000111";"Org AB;participant;SE;100\n' + _org(pic="999000222")),
        0,
        r"organization\.csv:2: .*unbalanced quote",
        baseline=cordis(),
    ),
    Case(
        "cordis-zip-bomb",
        "cordis",
        _bomb,
        1,
        r"bomb\.zip: member organization\.csv expands [\d,]+ times .*zip bomb",
    ),
    Case(
        "cordis-zip-over-limit",
        "cordis",
        _big_member,
        1,
        r"big\.zip: member organization\.csv expands to \d MB, over the input limit of 1 MB",
        env=(("INNOGRAPH_MAX_INPUT_MB", "1"),),
    ),
    Case(
        "cordis-corrupt-member",
        "cordis",
        _corrupt_member,
        1,
        r"corrupt\.zip: member organization\.csv is corrupt",
    ),
    Case(
        "cordis-truncated-zip",
        "cordis",
        lambda r: _write(r / "t.zip", cordis(zipped=True)(r).read_bytes()[:60]),
        1,
        r"t\.zip: damaged zip \(60 bytes; ",
    ),
    Case(
        "cordis-zip-cut-in-half-no-suffix",
        "cordis",
        lambda r: _write(r / "download", (b := cordis(zipped=True)(r).read_bytes())[: len(b) // 2]),
        1,
        r"download: damaged zip \([0-9,]+ bytes; .*download it again",
    ),
    Case(
        "cordis-binary-project",
        "cordis",
        lambda r: _binary_project(r),
        1,
        r"project\.csv: not a CSV file \(binary content\)",
    ),
]

# -- Interreg ----------------------------------------------------------------------------------------
IR_ROW = {
    "program": "South Baltic",
    "projektnamn": "Blue Lab",
    "organisationsnamn": "Hostile Org AB",
    "organisationsroll": "PP",
    "organisationstyp": "Large enterprise",
    "nuts3": "Blekinge län",
    "startdatum": "2023-01-01",
    "slutdatum": "2025-12-31",
    "partnerbudget": 1000,
}


def interreg(**changes: object) -> Callable[[Path], Path]:
    def make(root: Path) -> Path:
        return _write(root / "partners.json", json.dumps([{**IR_ROW, **changes}], ensure_ascii=False))

    return make


def interreg_raw(text: str | bytes) -> Callable[[Path], Path]:
    return lambda root: _write(root / "partners.json", text)


_RAW_ROW = json.dumps(IR_ROW, ensure_ascii=False)[:-1]

INTERREG_CASES = [
    Case(
        "interreg-deep-200k",
        "interreg",
        interreg_raw("[" * 200_000 + "]" * 200_000),
        1,
        r"partners\.json: JSON nested deeper than 32 levels",
    ),
    Case(
        "interreg-deep-40",
        "interreg",
        interreg_raw("[" * 40 + "]" * 40),
        1,
        r"partners\.json: JSON nested deeper than 32 levels",
    ),
    Case(
        "interreg-budget-Infinity",
        "interreg",
        interreg_raw(f"[{_RAW_ROW.replace('1000', 'Infinity')}}}]"),
        0,
        r"partners\.json:1: partnerbudget inf is not a finite amount",
    ),
    Case(
        "interreg-budget-1e400",
        "interreg",
        interreg_raw(f"[{_RAW_ROW.replace('1000', '1e400')}}}]"),
        0,
        r"partners\.json:1: partnerbudget inf is not a finite amount",
    ),
    Case(
        "interreg-budget-NaN",
        "interreg",
        interreg_raw(f"[{_RAW_ROW.replace('1000', 'NaN')}}}]"),
        0,
        r"partners\.json:1: non-numeric partnerbudget: nan",
    ),
    Case(
        "interreg-budget-string-inf",
        "interreg",
        interreg(partnerbudget="inf"),
        0,
        r"partners\.json:1: partnerbudget 'inf' is not a finite amount",
    ),
    Case(
        "interreg-budget-negative",
        "interreg",
        interreg(partnerbudget=-5),
        0,
        r"partners\.json:1: partnerbudget -5 is negative",
    ),
    Case(
        "interreg-budget-bool",
        "interreg",
        interreg(partnerbudget=True),
        0,
        r"partners\.json:1: non-numeric partnerbudget: True",
    ),
    Case(
        "interreg-type-number",
        "interreg",
        interreg(organisationstyp=42),
        0,
        r"partners\.json:1: organisationstyp is a number, expected text",
    ),
    Case(
        "interreg-nuts3-number",
        "interreg",
        interreg(nuts3=10),
        0,
        r"partners\.json:1: nuts3 is a number, expected text",
    ),
    Case(
        "interreg-name-dict",
        "interreg",
        interreg(organisationsnamn={"a": 1}),
        0,
        r"partners\.json:1: organisationsnamn is a dict, expected text",
    ),
    Case(
        "interreg-name-int",
        "interreg",
        interreg(organisationsnamn=12345),
        0,
        r"partners\.json:1: organisationsnamn is a number, expected text",
    ),
    Case(
        "interreg-project-list",
        "interreg",
        interreg(projektnamn=["a", "b"]),
        0,
        r"partners\.json:1: projektnamn is a list, expected text",
    ),
    Case(
        "interreg-long-project",
        "interreg",
        interreg(projektnamn="P" * 10_000),
        0,
        r"partners\.json:1: projektnamn is 10,000 characters long",
    ),
    Case(
        "interreg-end-before-start",
        "interreg",
        interreg(startdatum="2025-01-01", slutdatum="2023-01-01"),
        0,
        r"partners\.json:1: slutdatum 2023-01-01 is before startdatum 2025-01-01: both dates left out \(row kept\)",
        unchanged=False,
    ),
    Case(
        "interreg-name-escape",
        "interreg",
        interreg(organisationsnamn="Evil\x1b[31m Org AB"),
        0,
        r"partners\.json:1: control characters removed from organisationsnamn",
        unchanged=False,
        clean="interreg-org:evil-31m-org",
    ),
    Case(
        "interreg-binary",
        "interreg",
        interreg_raw(bytes(range(1, 32)) * 50),
        1,
        r"partners\.json: not a JSON file \(binary content\)",
    ),
    Case(
        "interreg-not-json",
        "interreg",
        interreg_raw("id;program\n1;x\n"),
        1,
        r"partners\.json: not a JSON file",
    ),
    Case(
        "interreg-latin1",
        "interreg",
        interreg_raw('[{"program": "S\xe5"}]'.encode("latin-1")),
        1,
        r"partners\.json: not a JSON file \(not UTF-8",
    ),
]

# -- ERDF --------------------------------------------------------------------------------------------
ERDF_ROW = {
    "ärende-id": "20209990",
    "stödmottagare": "Hostile Kommun",
    "projektnamn": "Hostile project",
    "projekt_starttid": "2016-01-01",
    "projekt_sluttid": "2018-12-31",
    "beviljat_belopp_sek": 1000,
}


def erdf(**changes: object) -> Callable[[Path], Path]:
    def make(root: Path) -> Path:
        row = {**ERDF_ROW, **{k.replace("_", "-") if k == "ärende_id" else k: v for k, v in changes.items()}}
        return _write(root / "erdf.json", json.dumps([row], ensure_ascii=False))

    return make


def _xlsx_bomb(root: Path) -> Path:
    z = root / "erdf.xlsx"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            for _ in range(32):
                f.write(b" " * (1024 * 1024))
    return z


ERDF_CASES = [
    Case(
        "erdf-amount-Infinity",
        "erdf",
        lambda r: _write(
            r / "erdf.json", json.dumps([ERDF_ROW], ensure_ascii=False).replace("1000", "Infinity")
        ),
        0,
        r"erdf\.json:1: 20209990: granted amount inf is not a finite amount",
    ),
    Case(
        "erdf-amount-1e400-text",
        "erdf",
        erdf(beviljat_belopp_sek="1e400"),
        0,
        r"erdf\.json:1: 20209990: granted amount '1e400' is not a finite",
    ),
    Case(
        "erdf-amount-negative",
        "erdf",
        erdf(beviljat_belopp_sek="-5 kr"),
        0,
        r"erdf\.json:1: 20209990: granted amount '-5' is negative",
    ),
    Case(
        "erdf-owner-dict",
        "erdf",
        erdf(stödmottagare={"namn": "X"}),
        0,
        r"erdf\.json:1: stödmottagare is a dict, expected text",
    ),
    Case(
        "erdf-owner-int",
        "erdf",
        erdf(stödmottagare=42),
        0,
        r"erdf\.json:1: stödmottagare is a number, expected text",
    ),
    Case(
        "erdf-long-case-id",
        "erdf",
        erdf(**{"ärende-id": "1" * 400}),
        0,
        r"erdf\.json:1: ärende-id is 400 characters long",
    ),
    Case(
        "erdf-long-title",
        "erdf",
        erdf(projektnamn="T" * 10_000),
        0,
        r"erdf\.json:1: projektnamn is 10,000 characters long",
    ),
    Case(
        "erdf-deep-json",
        "erdf",
        lambda r: _write(r / "erdf.json", "[" * 100_000 + "]" * 100_000),
        1,
        r"erdf\.json: JSON nested deeper than 32 levels",
    ),
    Case(
        "erdf-csv-unbalanced-quote",
        "erdf",
        lambda r: _write(
            r / "erdf.csv",
            'ärende-id;stödmottagare;projektnamn\n20209991;"Open Quote AB;Title\n20209992;Other AB;Second\n',
        ),
        0,
        r"erdf\.csv:2: .*unbalanced quote .*swallowed line 3",
    ),
    Case(
        "erdf-xlsx-corrupt",
        "erdf",
        lambda r: _write(r / "erdf.xlsx", b"PK\x03\x04garbage" * 10),
        1,
        r"erdf\.xlsx: not an Excel workbook",
    ),
    Case(
        "erdf-xlsx-bomb",
        "erdf",
        _xlsx_bomb,
        1,
        r"erdf\.xlsx: member xl/worksheets/sheet1\.xml expands .* zip bomb",
    ),
    Case(
        "erdf-binary",
        "erdf",
        lambda r: _write(r / "erdf.csv", bytes(range(1, 32)) * 50),
        1,
        r"erdf\.csv: not a CSV file \(binary content\)",
    ),
    Case(
        "erdf-owner-escape",
        "erdf",
        erdf(stödmottagare="Evil\x1b[31m Kommun"),
        0,
        r"erdf\.json:1: control characters removed from stödmottagare",
        unchanged=False,
    ),
]

# -- SCB agency register -----------------------------------------------------------------------------
AG = {"TILLVÄXTVERKET": {"org_nr": "202100-5000", "group": "x"}}


def agencies(doc: object) -> Callable[[Path], Path]:
    return lambda root: _write(root / "agencies.json", json.dumps(doc, ensure_ascii=False))


AGENCY_CASES = [
    Case(
        "agencies-deep-json",
        "agencies",
        lambda r: _write(r / "agencies.json", "{" + '"a":{' * 50_000 + "}" * 50_001),
        1,
        r"agencies\.json: JSON nested deeper than 32 levels",
    ),
    Case(
        "agencies-long-name",
        "agencies",
        agencies({**AG, "N" * 10_000: {"org_nr": "202100-5001"}}),
        0,
        r"agencies\.json:2: .*agency name is 10,000 characters long",
        baseline=agencies(AG),
    ),
    Case(
        "agencies-orgnr-dict",
        "agencies",
        agencies({**AG, "VERKET": {"org_nr": {"x": 1}}}),
        0,
        r"agencies\.json:2: 'VERKET': org_nr is a dict, expected an id",
        baseline=agencies(AG),
    ),
    Case(
        "agencies-website-list",
        "agencies",
        agencies({**AG, "VERKET": {"org_nr": "202100-5002", "website": ["a"]}}),
        0,
        r"agencies\.json:2: 'VERKET': website is a list, expected text",
        baseline=agencies(AG),
    ),
    Case(
        "agencies-binary",
        "agencies",
        lambda r: _write(r / "agencies.json", b"\x00\x01" * 100),
        1,
        r"agencies\.json: not a JSON file \(binary content\)",
    ),
    Case(
        "agencies-name-escape",
        "agencies",
        agencies({"EVIL\x1b[31mVERKET": {"org_nr": "202100-5003"}}),
        0,
        r"agencies\.json:1: control characters removed from agency name",
        unchanged=False,
        clean="se-org:2021005003",
    ),
]

# -- registry YAML -----------------------------------------------------------------------------------
REG_ACTOR = "  - id: se:hostile\n    name: {name}\n    kind: company\n    seeds: [x.md]\n"

REGISTRY_CASES = [
    Case(
        "registry-budget-inf",
        "registry",
        lambda r: _write(
            r / "reg.yaml",
            "projects:\n  - id: seed:p\n    title: P\n    programme: X\n    budget: {amount: .inf, currency: EUR}\n    seeds: [x.md]\n",
        ),
        1,
        r"reg\.yaml project seed:p: field 'budget\.amount': Input should be a finite number",
    ),
    Case(
        "registry-deep-yaml",
        "registry",
        lambda r: _write(r / "reg.yaml", "actors: " + "[" * 50_000 + "]" * 50_000 + "\n"),
        1,
        r"reg\.yaml: .*(nested|YAML)",
    ),
    Case(
        "registry-name-dict",
        "registry",
        lambda r: _write(r / "reg.yaml", "actors:\n" + REG_ACTOR.format(name="{a: 1}")),
        1,
        r"reg\.yaml actor se:hostile: field 'name': Input should be a valid string",
    ),
    Case(
        "registry-entry-not-mapping",
        "registry",
        lambda r: _write(r / "reg.yaml", "actors:\n  - just text\n"),
        1,
        r"reg\.yaml: actors entry 1 must be a mapping, got str",
    ),
    Case(
        "registry-binary",
        "registry",
        lambda r: _write(r / "reg.yaml", bytes(range(1, 32)) * 50),
        1,
        r"reg\.yaml: not a YAML file \(binary content\)",
    ),
    Case(
        "registry-long-id",
        "registry",
        lambda r: _write(
            r / "reg.yaml", "actors:\n" + REG_ACTOR.replace("se:hostile", "se:" + "h" * 400).format(name="X")
        ),
        1,
        r"field 'id': String should have at most 300 characters",
    ),
]


# -- a call list (`innograph calls match CALLS`): CSV or JSON Lines, read by graph.calls.read_calls ---------
def calls_file(name: str, content: str | bytes) -> Callable[[Path], Path]:
    return lambda r: _write(r / name, content)


def _sparse(name: str, size: int) -> Callable[[Path], Path]:
    def make(root: Path) -> Path:
        root.mkdir(parents=True, exist_ok=True)
        with (root / name).open("wb") as f:
            f.truncate(size)  # a file that large on disk without writing it
        return root / name

    return make


CALLS_HEADER = "code,title\n"
MATCH = ("calls", "match")

CALLS_CASES = [
    Case(
        "calls-deep-jsonl",
        "calls",
        calls_file("calls.jsonl", '{"code": ' + "[" * 200_000 + "]" * 200_000 + "}\n"),
        1,
        r"calls\.jsonl:1: JSON nested too deep",
        command=MATCH,
    ),
    Case(
        "calls-unbalanced-quote-to-the-end",
        "calls",
        calls_file("calls.csv", CALLS_HEADER + 'A-1,"open quote\nB-2,second\nC-3,third\n'),
        1,
        r"calls\.csv:2: unbalanced quote .*open to the end of the file",
        command=MATCH,
    ),
    Case(
        "calls-unbalanced-quote-swallows-rows",
        "calls",
        calls_file("calls.csv", CALLS_HEADER + 'A-1,"open\nB-2,closed later"\nC-3,third\n'),
        1,
        r"calls\.csv:2: unbalanced quote .*lines 2–3 and swallowed the rows after line 2",
        command=MATCH,
    ),
    Case(
        "calls-binary-nul",
        "calls",
        calls_file("calls.csv", b"\x00\x01\x02" * 100),
        1,
        r"calls\.csv: not a CSV or JSONL text \(binary content\)",
        command=MATCH,
    ),
    Case(
        "calls-zip",
        "calls",
        calls_file("calls.csv", b"PK\x03\x04" + b"\x00" * 40),
        1,
        r"calls\.csv: a zip archive, not a CSV or JSONL file",
        command=MATCH,
    ),
    Case(
        "calls-latin1",
        "calls",
        calls_file("calls.csv", (CALLS_HEADER + "A-1,Växjö energy\n").encode("latin-1")),
        1,
        r"calls\.csv: not UTF-8 text \(byte \d+\)",
        command=MATCH,
    ),
    Case(
        "calls-long-title",
        "calls",
        calls_file("calls.csv", CALLS_HEADER + "A-1," + "x" * 200_000 + "\n"),
        1,
        r"calls\.csv:2: title has 200,000 characters, at most 1,000",
        command=MATCH,
    ),
    Case(
        "calls-code-1e400",
        "calls",
        calls_file("calls.jsonl", '{"code": 1e400, "title": "battery storage"}\n'),
        1,
        r"calls\.jsonl:1: code is a number, expected text",
        command=MATCH,
    ),
    Case(
        "calls-code-dict",
        "calls",
        calls_file("calls.jsonl", '{"code": {"a": 1}, "title": "battery"}\n'),
        1,
        r"calls\.jsonl:1: code is a mapping, expected text",
        command=MATCH,
    ),
    Case(
        "calls-title-list",
        "calls",
        calls_file("calls.jsonl", '{"code": "A-1", "title": ["battery"]}\n'),
        1,
        r"calls\.jsonl:1: title is a list, expected text",
        command=MATCH,
    ),
    Case(
        "calls-line-not-object",
        "calls",
        calls_file("calls.jsonl", '{"code": "A-1"}\n[1, 2]\n'),
        1,
        r"calls\.jsonl:2: expected a JSON object",
        command=MATCH,
    ),
    Case(
        "calls-line-not-json",
        "calls",
        calls_file("calls.jsonl", '{"code": "A-1"}\n{"code": \n'),
        1,
        r"calls\.jsonl:2: not JSON",
        command=MATCH,
    ),
    Case(
        "calls-row-without-code-or-title",
        "calls",
        calls_file("calls.csv", CALLS_HEADER + "A-1,first\n,\n"),
        1,
        r"calls\.csv:3: no topic code or title",
        command=MATCH,
    ),
    Case(
        "calls-no-code-column",
        "calls",
        calls_file("calls.csv", "id,name_of_thing\n1,x\n"),
        1,
        r"calls\.csv:1: no topic code or title column",
        command=MATCH,
    ),
    Case(
        "calls-empty", "calls", calls_file("calls.csv", b""), 1, r"calls\.csv:1: no topic code", command=MATCH
    ),
    Case(
        "calls-folder",
        "calls",
        lambda r: (r / "calls").mkdir(parents=True) or r / "calls",
        1,
        r"calls: no such file",
        command=MATCH,
    ),
    Case(
        "calls-too-many-topics",
        "calls",
        calls_file("calls.csv", CALLS_HEADER + "".join(f"T-{i},topic {i}\n" for i in range(20_001))),
        1,
        r"calls\.csv: 20,001 topics; at most 20,000 at once",
        command=MATCH,
    ),
    Case(
        "calls-file-too-large",
        "calls",
        _sparse("calls.csv", 60 * 1024 * 1024),
        1,
        r"calls\.csv: 63 MB; a call list is at most 50 MB",
        command=MATCH,
    ),
]

ALL_CASES = (
    CSV_CASES + CORDIS_CASES + INTERREG_CASES + ERDF_CASES + AGENCY_CASES + REGISTRY_CASES + CALLS_CASES
)
LOADERS = {"csv", "cordis", "interreg", "erdf", "agencies", "registry"}
