"""``einsum``: Einstein summation over lettered axes, as in numpy and PyTorch.

Composite, so that its derivatives of every order come from the ops it is made of. For
``"ij,jk->ik"`` the letters are laid out in one order (the output's first, then the summed
ones: i, k, j); each operand is permuted to that order and given a size-1 axis for each letter
it lacks, A as (i, 1, j) and B as (1, k, j); the operands are multiplied with broadcasting; and
the letters not in the output are summed:

    y_ik = sum_j A_ij B_jk.

Its gradient with respect to an operand is then that of a broadcast product followed by a sum:
the output's cotangent, broadcast back over the summed letters, times the other operands, summed
over the letters the operand lacks. It materialises the broadcast product (here i x k x j
numbers), so a large contraction is cheaper as ``matmul``. Not supported, each refused with a
message: ``...`` (write every axis's letter) and a letter repeated within one operand (a
diagonal)."""

from .shape import permute, reshape


def einsum(subscripts, *operands):
    """``einsum("ij,jk->ik", a, b)``; without ``->`` the output is the letters that appear
    once, in alphabetical order (numpy's rule). The operands may also be given as one list."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    terms, output = _parse(subscripts, len(operands))
    sizes = _letter_sizes(subscripts, terms, operands)
    letters = output + "".join(letter for letter in sizes if letter not in output)
    product = None
    for term, operand in zip(terms, operands):
        order = [term.index(letter) for letter in letters if letter in term]
        aligned = permute(operand, order) if order != sorted(order) else operand
        aligned = reshape(aligned, tuple(sizes[letter] if letter in term else 1
                                         for letter in letters))
        product = aligned if product is None else product * aligned
    summed = tuple(range(len(output), len(letters)))
    return product.sum(axis=summed) if summed else product


def _parse(subscripts, n_operands):
    """(the operands' letter strings, the output's letters)."""
    spec = subscripts.replace(" ", "")
    if "..." in spec:
        raise ValueError(f"einsum: {subscripts!r}: '...' is not supported here; write a letter "
                         "for every axis")
    inputs, arrow, output = spec.partition("->")
    terms = inputs.split(",")
    if len(terms) != n_operands:
        raise ValueError(f"einsum: {subscripts!r} names {len(terms)} operand(s), got "
                         f"{n_operands}")
    for term in terms + [output]:
        if term and not term.isalpha():
            raise ValueError(f"einsum: {subscripts!r}: subscripts are letters, separated by "
                             f"commas, with an optional '->' before the output's")
        if len(set(term)) != len(term):
            raise ValueError(f"einsum: {subscripts!r}: {term!r} repeats a letter (a diagonal or "
                             "a trace), which is not supported here")
    if not arrow:
        output = "".join(sorted(letter for letter in set(inputs) - {","}
                                if inputs.count(letter) == 1))
    missing = set(output) - set(inputs)
    if missing:
        raise ValueError(f"einsum: {subscripts!r}: output letter(s) {sorted(missing)} name no "
                         "operand's axis")
    return terms, output


def _letter_sizes(subscripts, terms, operands):
    """{letter: its axis size}, in order of first appearance; refused if the sizes disagree."""
    sizes = {}
    for position, (term, operand) in enumerate(zip(terms, operands)):
        if len(term) != operand.ndim:
            raise ValueError(f"einsum: {subscripts!r}: operand {position} has shape "
                             f"{operand.shape} ({operand.ndim} axes) but {term!r} names "
                             f"{len(term)}")
        for letter, size in zip(term, operand.shape):
            if sizes.setdefault(letter, size) != size:
                raise ValueError(f"einsum: {subscripts!r}: letter {letter!r} is {sizes[letter]} "
                                 f"long in one operand and {size} in operand {position} (shape "
                                 f"{operand.shape})")
    return sizes
