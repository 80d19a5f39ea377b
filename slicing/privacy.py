"""Slices of a person's designs hold G-code of their parts: the print files go with the designs (see
designs/privacy.py); the slices' figures are not personal and stay with what remains of the design."""

from accounts.personal_data import eraser
from slicing.models import Slice


@eraser("slicing")
def erase_slice_files(erasure) -> None:
    slices = Slice.objects.filter(design_version__design__owner=erasure.user).exclude(print_file="")
    for part_slice in slices:
        erasure.forget_file(part_slice.print_file)
    erasure.count("slice_files", slices.update(print_file=""))
