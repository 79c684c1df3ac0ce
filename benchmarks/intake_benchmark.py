"""Import a year of the reference court (70,000 rows) into a fresh SQLite database and time it.

    .venv/bin/python benchmarks/intake_benchmark.py [--rows 70000] [--format csv|xlsx] [--database-url URL]

The export is generated: about two parties per case (people and companies), Beijing addresses,
mobile and landline numbers, valid ID numbers and credit codes, several documents per case. CSV is
written in GBK, as the court system does. It prints rows, seconds and rows/s for the first import
and for a re-import of the same file (which must change nothing).
"""

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强海燕玉兰晓东红梅春雷文博思雨子涵浩然"
)
COMPANY_WORDS = (
    "华信",
    "中科",
    "京东方",
    "远洋",
    "金桥",
    "瑞丰",
    "天成",
    "宏达",
    "恒通",
    "博远",
    "鼎盛",
    "嘉禾",
)
COMPANY_KINDS = ("科技有限公司", "商贸有限公司", "建筑工程有限公司", "物业管理有限公司", "投资管理有限公司")
DISTRICTS = ("西城区", "东城区", "朝阳区", "海淀区", "丰台区", "石景山区", "通州区", "昌平区", "大兴区")
STREETS = (
    "金融大街",
    "西直门外大街",
    "阜成门内大街",
    "德胜门外大街",
    "复兴门内大街",
    "展览路",
    "月坛北街",
    "白纸坊东街",
)
CAUSES = (
    "民间借贷纠纷",
    "买卖合同纠纷",
    "物业服务合同纠纷",
    "离婚纠纷",
    "机动车交通事故责任纠纷",
    "劳动争议",
    "房屋租赁合同纠纷",
)
DOCUMENTS = ("传票", "起诉状副本", "应诉通知书", "举证通知书", "证据材料", "合议庭组成人员通知书")
CASE_TYPES = (
    ("民事", "民初", 55),
    ("商事", "民初", 20),
    ("执行", "执", 15),
    ("行政", "行初", 3),
    ("多元调解+速裁", "民诉前调", 7),
)
HEADERS = (
    "案号", "案由", "案件类型", "立案日期", "承办法官", "书记员", "当事人", "当事人类型", "诉讼地位",
    "证件号码", "联系电话", "送达地址", "电子邮箱", "待送达文书", "开庭时间", "送达期限",
)  # fmt: skip


def _person(rng: random.Random, serial: int) -> tuple[str, str, str]:
    from backend.intake.identity import resident_id_check_char

    name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
    born = f"{rng.randint(1950, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    first17 = f"1101{rng.randint(1, 17):02d}{born}{serial % 1000:03d}"
    return name, "自然人", first17 + resident_id_check_char(first17)


def _company(rng: random.Random, serial: int) -> tuple[str, str, str]:
    from backend.intake.identity import credit_code_check_char

    name = f"北京{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_KINDS)}"
    first17 = f"911101{serial:011d}"[:17]
    return f"{name}{serial % 97}", "法人", first17 + credit_code_check_char(first17)


def _phones(rng: random.Random) -> str:
    mobile = f"1{rng.choice('3456789')}{rng.randint(0, 999999999):09d}"
    if rng.random() < 0.2:
        return f"{mobile}；010-{rng.randint(2, 8)}{rng.randint(0, 9999999):07d}"
    return mobile


def _address(rng: random.Random) -> str:
    return (
        f"北京市{rng.choice(DISTRICTS)}{rng.choice(STREETS)}{rng.randint(1, 300)}号院{rng.randint(1, 20)}号楼"
    )


def generate_rows(count: int, seed: int = 2026) -> Iterator[dict[str, Any]]:
    """COUNT rows, about two parties per case."""
    rng = random.Random(seed)
    produced = case_serial = 0
    while produced < count:
        case_serial += 1
        label, code, _ = rng.choices(CASE_TYPES, weights=[weight for *_, weight in CASE_TYPES])[0]
        filed = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        case = {
            "案号": f"(2026)京0102{code}{case_serial}号",
            "案由": rng.choice(CAUSES),
            "案件类型": label,
            "立案日期": filed,
            "承办法官": rng.choice(SURNAMES) + "法官",
            "书记员": rng.choice(SURNAMES) + "书记员",
            "开庭时间": f"2027-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} {rng.choice((9, 14))}:30",
        }
        documents = "；".join(rng.sample(DOCUMENTS, rng.randint(2, 4)))
        for index in range(min(rng.choice((1, 2, 2, 2, 3)), count - produced)):
            serial = case_serial * 10 + index
            name, kind, number = _company(rng, serial) if rng.random() < 0.3 else _person(rng, serial)
            yield {
                **case,
                "当事人": name,
                "当事人类型": kind,
                "诉讼地位": "原告" if index == 0 else "被告",
                "证件号码": number,
                "联系电话": _phones(rng),
                "送达地址": _address(rng),
                "电子邮箱": f"party{serial}@example.com" if rng.random() < 0.3 else "",
                "待送达文书": documents,
                "送达期限": f"2027-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            }
            produced += 1


def write_export(path: Path, rows: int, file_format: str) -> Path:
    if file_format == "xlsx":
        from openpyxl import Workbook  # type: ignore[import-untyped]

        # A normal (not write-only) workbook records its dimension as Excel does; without one,
        # openpyxl's read-only mode parses the whole sheet once more just to size it.
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(list(HEADERS))
        for cells in generate_rows(rows):
            sheet.append([cells[header] for header in HEADERS])
        workbook.save(path)
        return path
    with path.open("w", encoding="gbk", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for cells in generate_rows(rows):
            writer.writerow([cells[header] for header in HEADERS])
    return path


def timed_import(path: Path) -> tuple[float, dict[str, Any]]:
    from backend.database import get_session
    from backend.intake import service

    with get_session() as session:
        job_id = service.create_job(db_session=session, filename=path.name, source_path=path).id
    started = time.perf_counter()
    job = service.run_job(job_id=job_id)
    elapsed = time.perf_counter() - started
    if job.status != "done":
        raise SystemExit(f"import failed: {job.errors[:5]}")
    return elapsed, job.summary


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=70_000)
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    parser.add_argument("--database-url", default="", help="default: a new SQLite file in the temp data dir")
    arguments = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="songda-intake-bench-"))
    os.environ["SONGDA_DATA_DIR"] = str(data_dir)
    os.environ["SONGDA_DATABASE_URL"] = arguments.database_url or f"sqlite:///{data_dir / 'bench.sqlite3'}"

    import backend.models  # noqa: F401
    from backend import database

    engine = database.configure()
    database.Base.metadata.create_all(engine)
    started = time.perf_counter()
    export = write_export(data_dir / f"export.{arguments.format}", arguments.rows, arguments.format)
    generated = time.perf_counter() - started
    print(f"generated {arguments.rows} rows ({arguments.format}) in {generated:.1f} s: {export}")
    for label in ("import", "re-import"):
        seconds, summary = timed_import(export)
        print(
            f"{label:9}: {summary['rows']} rows in {seconds:.1f} s = {summary['rows'] / seconds:,.0f} rows/s"
        )
        changed = {
            key: value for key, value in summary.items() if key.endswith(("_created", "_updated", "_added"))
        }
        print(f"           {changed}")
    print(f"data dir: {data_dir}")


if __name__ == "__main__":
    main()
