"""Data: IDX files, MNIST/Fashion-MNIST, scikit-learn's digits, real text (fortune quotations),
generated sets, batching and preprocessing."""
from .digits import digits
from .idx import IDXError, load_idx, save_idx
from .loader import DataLoader, Dataset, Subset, TensorDataset, default_collate, random_split
from .mnist_sets import FASHION_CLASSES, DatasetNotFound, fashion_mnist, mnist
from .preprocessing import normalize, one_hot, to_categorical
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler
from .synthetic import house_prices, moons, spirals
from .sentiment import sentiment_corpus
from .fortune_files import fortunes
from .text import (Tokenizer, bag_of_words, fortune_sequences, pad_sequences, padded_sequences,
                   sentiment_sequences)

__all__ = ["digits", "IDXError", "load_idx", "save_idx", "DataLoader", "Dataset",
           "default_collate", "Subset", "TensorDataset", "random_split", "FASHION_CLASSES",
           "DatasetNotFound", "fashion_mnist", "mnist", "normalize", "one_hot", "to_categorical",
           "house_prices", "moons", "spirals", "Tokenizer", "bag_of_words", "sentiment_sequences",
           "pad_sequences", "sentiment_corpus", "fortunes", "fortune_sequences",
           "padded_sequences", "BatchSampler", "RandomSampler", "Sampler", "SequentialSampler"]
