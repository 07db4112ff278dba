"""Case files in every encoding a spreadsheet writes: each is read as exactly the text that was typed, or
reading stops and says how to choose; garbled text is never reported valid. Fixtures are written here
from Python strings into a temporary folder (no binary files in the repository)."""
import pytest

from winback_research.cases import CaseFileError, read_cases

HEADER = "case_id,supplier,customer,dissolution_year\n"
FILES = [   # (encoding the file is written in, supplier, customer)
    ("cp1252", "Müller Präzision GmbH", "Señor Ltd"),
    ("cp1252", "Société Générale", "Bäckerei Österreich"),
    ("big5", "台灣精密", "台北機械股份有限公司"),
    ("big5", "台灣積體電路製造股份有限公司", "鴻海精密"),
    ("shift_jis", "東京精密", "大阪機械株式会社"),
    ("shift_jis", "株式会社デンソー", "日立製作所"),
    ("gb18030", "上海精密", "华为供应商"),
    ("gb18030", "广州机械制造有限公司", "阿里巴巴"),
    ("gb18030", "阿里巴巴", "B"),                   # four characters GB18030 and Big5 both read as common ones
    ("utf-16", "Müller Präzision GmbH", "上海精密"),
    ("utf-8-sig", "台灣精密", "Müller"),
    ("utf-8", "東京精密", "上海精密"),
]


@pytest.mark.parametrize("enc,supplier,customer", FILES)
def test_read_exactly_or_stop(tmp_path, enc, supplier, customer):
    path = tmp_path/f"{enc}.csv"
    path.write_bytes((HEADER + f"C1,{supplier},{customer},2015\n").encode(enc))
    try: df = read_cases(path)
    except CaseFileError as e:                                  # ambiguous: says what each candidate gives and how to choose
        msg = str(e)
        assert enc not in ("utf-8", "utf-8-sig", "utf-16"), msg  # these are never in doubt
        assert repr(supplier) in msg and "encoding=" in msg and "--encoding" in msg and "UTF-8" in msg
        df = read_cases(path, encoding=enc)
    assert (df.loc[0, "supplier"], df.loc[0, "customer"]) == (supplier, customer)


@pytest.mark.parametrize("enc", ["cp1252", "big5", "shift_jis", "gb18030", "utf-16", "utf-8-sig", "utf-8"])
def test_unambiguous_files_read_without_help(tmp_path, enc):
    name = {"cp1252": "Müller Präzision GmbH", "big5": "台灣精密機械股份有限公司", "shift_jis": "東京精密株式会社",
            "gb18030": "上海精密机械有限公司"}.get(enc, "Müller 上海精密 台灣精密 東京精密")
    path = tmp_path/"cases.csv"
    path.write_bytes((HEADER + f"C1,{name},{name},2015\n").encode(enc))
    df = read_cases(path)
    assert df.loc[0, "supplier"] == name
    assert df.attrs["encoding"] == {"big5": "cp950", "shift_jis": "cp932", "utf-8-sig": "utf-8-sig"}.get(enc, enc)


def test_chinese_header_written_in_gb18030(tmp_path):
    path = tmp_path/"zh.csv"
    path.write_bytes("案例编号,供应商,客户,关系破裂年份,主要原因\nZ1,华东机械,上海汽车,2015,价格\n".encode("gb18030"))
    df = read_cases(path)
    assert df.loc[0, "reason_primary"] == "price" and df.loc[0, "supplier"] == "华东机械"
    assert "row 2, column 'reason_primary': '价格' read as 'price'" in map(str, df.attrs["conversions"])


def test_utf16_without_bom_and_binary_say_what_to_do(tmp_path):
    path = tmp_path/"le.csv"
    path.write_bytes((HEADER + "C1,S,C,2015\n").encode("utf-16-le"))
    with pytest.raises(CaseFileError, match="UTF-16 without a byte-order mark"): read_cases(path)
    assert read_cases(path, encoding="utf-16-le").loc[0, "supplier"] == "S"


def test_european_excel_semicolon_csv_in_cp1252(tmp_path):
    # Excel in Germany or France saves "CSV" with semicolons, in Windows-1252; the separator is detected and noted
    path = tmp_path / "eu.csv"
    path.write_bytes("case_id;supplier;customer;dissolution_year\nC1;Müller, Präzision GmbH;Señor Ltd;2015\n".encode("cp1252"))
    df = read_cases(path)
    assert (df.attrs["encoding"], df.loc[0, "supplier"]) == ("cp1252", "Müller, Präzision GmbH")
    assert any("semicolons" in str(n) for n in df.attrs["conversions"])


def test_nul_inside_utf16_text_is_a_problem_not_part_of_a_name(tmp_path):
    path = tmp_path / "u16.csv"
    path.write_bytes((HEADER + "C1,Mül\x00ler,B,2015\n").encode("utf-16"))
    with pytest.raises(CaseFileError, match=r"row 2, column 'supplier'.*U\+0000 \(NUL\)"):
        read_cases(path)
