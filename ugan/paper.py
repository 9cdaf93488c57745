"""The published numbers that the reproduction sets beside its own, written as published.

Each entry keeps the printed text of a cell (so that "628.0" stays "628.0") and where it comes
from. A result is quoted only with two sources: ``../shared/paper/README.md`` (the project's
corrected copy of the published tables) and a text copy of the paper or of the paper that
re-ran it. Where the copies disagree, the README says which is right and why (Table 1's K=0
share is 0.63%, not the 6.3% of the arXiv text). ``tests/test_paper_numbers.py`` checks every
entry against the README's tables, and every paper number in the docs against these entries.

Settings of the paper's experiments (how many images, runs) are facts of its text rather than
results; they are kept apart, each with the one passage that states it.
"""

README = "../shared/paper/README.md"

# Table 1 (CIFAR-10, inference via optimization; mean ± its 5 runs' spread, kind not stated).
TABLE_1_SOURCES = (f"{README}, Table 1", "unrolled-gan-arxiv.txt, Table 1 (K=0's share misprinted)")
TABLE_1_MSE = {0: "0.0231 ± 0.0024", 1: "0.0195 ± 0.0021", 5: "0.0200 ± 0.0023",
               10: "0.0181 ± 0.0018"}
TABLE_1_BEST_RANK = {0: "0.63%", 1: "22.97%", 5: "15.31%", 10: "61.09%"}

# Table 2 (stacked MNIST, 1,000 modes; modes / reverse KL, mean ± standard error).
TABLE_2_SOURCES = (f"{README}, Table 2", "PacGAN (Lin et al. 2018), Table 3, as the README "
                   "transcribes it (the ICLR copy here has no digits)")
TABLE_2 = {
    ("1/4", 0): "30.6 ± 20.73 / 5.99 ± 0.42", ("1/4", 1): "65.4 ± 34.75 / 5.91 ± 0.14",
    ("1/4", 5): "236.4 ± 63.30 / 4.67 ± 0.43", ("1/4", 10): "327.2 ± 74.67 / 4.66 ± 0.46",
    ("1/2", 0): "628.0 ± 140.9 / 2.58 ± 0.75", ("1/2", 1): "523.6 ± 55.77 / 2.44 ± 0.26",
    ("1/2", 5): "732.0 ± 44.98 / 1.66 ± 0.09", ("1/2", 10): "817.4 ± 37.91 / 1.43 ± 0.12",
}

# PacGAN's own re-run of Table 2's K=0 row (50 runs, 500k iterations, 25,600 samples).
PACGAN_K0_SOURCES = (f"{README}, under Table 2", "PacGAN (Lin et al. 2018), as the README "
                     "transcribes it")
PACGAN_K0 = {"1/4": "78.5 ± 17.6 / 5.21", "1/2": "487.7 ± 34.6 / 2.24"}

# VEEGAN's runs of an unrolled GAN (K=5), Tables 1-2 of Srivastava et al. 2017.
VEEGAN_SOURCES = (f"{README}, later papers' runs", "VEEGAN (Srivastava et al. 2017), Tables "
                  "1-2, as the README transcribes them")
VEEGAN_UNROLLED = {"ring": "7.6 / 35.6", "grid": "23.6 / 16", "stacked": "48.7 / 4.32",
                   "cifar10_mse": "0.013"}

# Settings stated by the paper's text, each with its passage.
SETTINGS = {
    "table_1_runs": ("5", "unrolled-gan-arxiv.txt, Table 1 caption: averaged over all 5 runs"),
    "table_1_images": ("1280", "unrolled-gan-arxiv.txt, Figure 4 caption: a random 1280 images"),
}


def results():
    """Every published result above, as printed, with its sources: [(text, sources)]."""
    tables = [(TABLE_1_MSE, TABLE_1_SOURCES), (TABLE_1_BEST_RANK, TABLE_1_SOURCES),
              (TABLE_2, TABLE_2_SOURCES), (PACGAN_K0, PACGAN_K0_SOURCES),
              (VEEGAN_UNROLLED, VEEGAN_SOURCES)]
    return [(text, sources) for table, sources in tables for text in table.values()]
