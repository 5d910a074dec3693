"""The worksheet parser's own process: `python -I excel/parse_child.py MEM_BYTES CPU_SECONDS SHEET`.

excel.readers runs this file as a child process so that python-calamine
never parses an upload inside a server process: calamine 0.9.1 aborts the
whole process on some crafted sheets and follows zip bombs to gigabytes
(STACK-NOTES). The child caps its own address space and CPU time before it
imports the parser, reads the workbook's bytes on stdin and writes one
pickle on stdout: ("ok", rows), ("hidden", name) when the sheet named SHEET
is hidden while another is visible, ("no_sheet", "") when no worksheet is
visible, or ("error", text). Anything else (a signal,
MemoryError, a limit reached) is the parent's to report as a refused file.

It imports nothing from the project, so it starts in a few dozen
milliseconds and runs with the interpreter's isolated mode (-I).
"""

import io
import pickle
import resource
import sys


def _limit(kind: int, value: int) -> None:
    _soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, value if hard == resource.RLIM_INFINITY else hard))


def main() -> None:
    memory, cpu, sheet_name = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    _limit(resource.RLIMIT_AS, memory)
    _limit(resource.RLIMIT_CPU, cpu)
    _limit(resource.RLIMIT_CORE, 0)  # no core file of an aborted parse (it would hold personal data)
    data = sys.stdin.buffer.read()
    out = sys.stdout.buffer
    try:
        # Imported after the limits above are set, so the reader's own start-up memory counts against them.
        from python_calamine import CalamineWorkbook

        with CalamineWorkbook.from_filelike(_bytes_io(data)) as wb:
            status, name = choose_sheet(wb.sheets_metadata, sheet_name)
            if status == "ok":
                result = ("ok", wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
            else:
                result = (status, name)
    except MemoryError:
        result = ("memory", "")
    except Exception as e:  # calamine's own error types for unreadable content
        result = ("error", f"{type(e).__name__}: {str(e)[:200]}")
    pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()


def choose_sheet(sheets, sheet_name: str) -> tuple[str, str]:
    """Only visible worksheets are read: the one named `sheet_name`, else the first. A hidden sheet of that
    name beside a visible one is ambiguous (what the admin sees is not what would be read): ("hidden", name)."""
    from python_calamine import SheetTypeEnum, SheetVisibleEnum  # only once the limits are set, as in main()

    worksheets = [s for s in sheets if s.typ == SheetTypeEnum.WorkSheet]
    visible = [s.name for s in worksheets if s.visible == SheetVisibleEnum.Visible]
    if sheet_name and sheet_name in visible:
        return "ok", sheet_name
    if sheet_name and any(s.name == sheet_name for s in worksheets):
        return "hidden", sheet_name
    if not visible:
        return "no_sheet", ""
    return "ok", visible[0]


def _bytes_io(data: bytes):

    return io.BytesIO(data)


if __name__ == "__main__":
    main()
