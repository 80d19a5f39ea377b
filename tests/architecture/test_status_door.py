"""Every status change goes through the door in core/state.py: no other code assigns ``.status`` or writes
``status=`` in an update or a create (a test reads the code)."""

import ast

from tests.architecture.code import ROOT, parsed, source_files

DOOR = "core/state.py"


def status_writes(tree: ast.Module):
    for node in ast.walk(tree):
        # obj.status = ...
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for element in ast.walk(target):
                    if isinstance(element, ast.Attribute) and element.attr == "status":
                        yield node.lineno, "assigns .status"
        # queryset.update(status=...), Model.objects.create(status=...), bulk_update(..., ["status"])
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method = node.func.attr
            keywords = {keyword.arg for keyword in node.keywords}
            if method in {"update", "create", "get_or_create", "update_or_create"} and "status" in keywords:
                yield node.lineno, f"{method}(status=...)"
            if method in {"update_or_create", "get_or_create"}:
                for keyword in node.keywords:
                    if keyword.arg in {"defaults", "create_defaults"} and isinstance(keyword.value, ast.Dict):
                        names = {key.value for key in keyword.value.keys if isinstance(key, ast.Constant)}
                        if "status" in names:
                            yield node.lineno, f"{method}(defaults={{'status': ...}})"
            if method == "bulk_update":
                for argument in node.args[1:]:
                    if isinstance(argument, ast.List | ast.Tuple) and any(
                        isinstance(item, ast.Constant) and item.value == "status" for item in argument.elts
                    ):
                        yield node.lineno, "bulk_update of status"


def test_no_status_is_written_outside_the_door():
    offenders = []
    for path in source_files():
        relative = path.relative_to(ROOT).as_posix()
        if relative == DOOR:
            continue
        offenders += [f"{relative}:{line}: {what}" for line, what in status_writes(parsed(path))]

    assert offenders == []


def test_the_reader_finds_what_it_looks_for():
    # The check above must be able to fail: each way of writing a status is found in a sample.
    sample = ast.parse(
        "order.status = 'x'\n"
        "Order.objects.filter(pk=1).update(status='x')\n"
        "Job.objects.create(order=o, status='x')\n"
        "Batch.objects.update_or_create(pk=1, defaults={'status': 'x'})\n"
        "Order.objects.bulk_update(rows, ['status'])\n"
        "Order.objects.filter(status='x').update(note='y')\n"
    )

    assert [line for line, _ in status_writes(sample)] == [1, 2, 3, 4, 5]


def test_the_door_itself_is_where_status_is_written():
    assert [what for _, what in status_writes(parsed(ROOT / DOOR))] == ["assigns .status", "assigns .status"]
