"""The importers by kind (an ImportJob's `kind`): where each is declared and what its jobs are called.

Importers are loaded on first use (imports.importer.get): they import the domain apps, which load after this one.
"""

IMPORTERS = {
    "member_import": "imports.importers.members.IMPORTER",
    "cadre_import": "imports.importers.cadres.IMPORTER",
    "children_import": "imports.importers.children.IMPORTER",
    "graduation_marks": "graduates.importers.MARKS",  # SPEC-2 GR1
    "graduation_transfers": "graduates.importers.TRANSFERS",  # SPEC-2 GR4
    "evaluation_import": "evaluation.importer.IMPORTER",  # SPEC-2 EV4
}
LABELS = {
    "member_import": "团员团干部导入",
    "cadre_import": "本级团干部导入",
    "children_import": "批量创建下级组织",
    "graduation_marks": "批量标记毕业时间",
    "graduation_transfers": "毕业转出",
    "evaluation_import": "团员教育评议录入",
}
