"""Elementwise ops: ``unary`` (exp, log, tanh, relu, clip, ...) and ``binary`` (+ - * /, power,
maximum, where, comparisons, which broadcast). Every one is a primitive but ``minimum``, a
composite of ``maximum`` and ``neg``."""

from .binary import (Add, Compare, Div, Maximum, Mul, Pow, PowConstant, Sub, Where, add, div,
                     equal, greater, greater_equal, less, less_equal, lift, logical_and,
                     logical_or, masked_fill, maximum, minimum, mul, not_equal, power, sub,
                     where)
from .unary import (Abs, Clip, Cos, Erf, Exp, LeakyRelu, Log, Log1p, Masked, Neg, Relu, SigmoidOp,
                    Sign, Sin, Softplus, Sqrt, TanhOp, abs, clip, cos, erf, exp, leaky_relu, log,
                    log1p, neg, reciprocal, relu, rsqrt, sigmoid, sign, sin, softplus, sqrt, tanh)
