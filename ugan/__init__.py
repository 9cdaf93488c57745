"""Unrolled GANs (Metz et al. 2017) on minigrad."""
