"""Images per second of each image transformer against the per-image loop it
replaces, side by side in one process, on the CIFAR-10 subset.

- HoG: ``skimage.feature.hog(image, channel_axis=-1)`` image by image.
- ColorHistogram: ``skimage.color.rgb2hsv`` and ``np.histogram`` image by image.
- BagOfVisualWords (fitted codebook): per image, its dense patches described and
  assigned by the fitted ``MiniBatchKMeans.predict``, then counted.

One BLAS thread (threadpoolctl), each timing the best of a few interleaved
repeats: the machine is shared. Each peer's output is checked equal first.

Run:  python benchmarks/bench_features.py [--n-images 10000] [--n-loop 1000]
"""

import argparse
import time

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from skimage.color import rgb2hsv
from skimage.feature import hog as skimage_hog
from threadpoolctl import threadpool_info, threadpool_limits

from sklinear.datasets import load_cifar10
from sklinear.feature_extraction import BagOfVisualWords, ColorHistogram, HoG

from _data import CIFAR10


def hog_loop(images):
    return np.array([skimage_hog(image, channel_axis=-1) for image in images])


def color_loop(images, bins=10):
    rows = []
    for image in images:
        hsv = rgb2hsv(image)
        rows.append(np.concatenate([
            np.histogram(hsv[..., c], bins=bins, range=(0, 1))[0] for c in range(3)
        ]) / (image.shape[0] * image.shape[1]))
    return np.array(rows)


def bovw_loop(images, bovw, kmeans):
    """What a per-image bag of words costs: the same patches, descriptors and
    nearest words, one image at a time through scikit-learn's predict."""
    size, step, eps = bovw.patch_size, bovw.step, bovw.contrast_eps_
    rows = []
    for image in images.astype(np.float64):
        patches = sliding_window_view(image, size, axis=(0, 1))[::step, ::step]
        # (rows, cols, channels, height, width) to one (height, width, channels)
        # row per patch, the layout of the codebook.
        patches = np.moveaxis(patches, 2, -1).reshape(-1, patches[0, 0].size)
        patches = patches - patches.mean(axis=1, keepdims=True)
        patches /= np.sqrt(patches.var(axis=1, keepdims=True) + eps)
        words = kmeans.predict(patches)
        rows.append(np.bincount(words, minlength=bovw.n_words) / len(words))
    return np.array(rows)


def best_times(repeat, *calls):
    best = [np.inf] * len(calls)
    for _ in range(repeat):
        for k, call in enumerate(calls):
            started = time.perf_counter()
            call()
            best[k] = min(best[k], time.perf_counter() - started)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(CIFAR10))
    parser.add_argument("--n-images", type=int, default=10_000)
    parser.add_argument("--n-loop", type=int, default=1_000,
                        help="images for the (slow) per-image loops")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    images, _ = load_cifar10(args.data, subset="train", return_X_y=True)
    images = images[: args.n_images]
    few = images[: args.n_loop]
    print("BLAS:", [(i["internal_api"], i["version"]) for i in threadpool_info()])
    print(f"{len(images)} CIFAR-10 images {images.shape[1:]} uint8; loops on "
          f"{len(few)}; one BLAS thread; best of {args.repeat}\n")

    with threadpool_limits(1):
        hog = HoG(cells_per_block=2).fit(images)
        color = ColorHistogram().fit(images)
        bovw = BagOfVisualWords(random_state=0).fit(images)
        # The same codebook as a fitted MiniBatchKMeans, for the peer's predict.
        from sklearn.cluster import MiniBatchKMeans
        kmeans = MiniBatchKMeans(n_clusters=bovw.n_words, n_init=1, max_iter=1)
        kmeans.fit(bovw.codebook_)
        kmeans.cluster_centers_ = bovw.codebook_

        def hog_peer(b):
            return np.array([skimage_hog(i, pixels_per_cell=(8, 8),
                                         cells_per_block=(2, 2), channel_axis=-1)
                             for i in b])

        cases = [
            ("HoG(cells_per_block=2)", hog, hog_peer, 1e-6),
            ("ColorHistogram()", color, color_loop, 1e-12),
            ("BagOfVisualWords()", bovw, lambda b: bovw_loop(b, bovw, kmeans), 0),
        ]
        print(f"{'transformer':<24} {'ours img/s':>11} {'loop img/s':>11} {'ratio':>7}")
        for name, transformer, peer, atol in cases:
            ours_out, peer_out = transformer.transform(few), peer(few)
            mismatch = np.abs(ours_out - peer_out).max()
            assert mismatch <= atol, f"{name} differs from its loop by {mismatch}"
            ours, loop = best_times(
                args.repeat,
                lambda t=transformer: t.transform(images),
                lambda p=peer: p(few),
            )
            ours_rate, loop_rate = len(images) / ours, len(few) / loop
            print(f"{name:<24} {ours_rate:>11,.0f} {loop_rate:>11,.0f} "
                  f"{ours_rate / loop_rate:>6.1f}x")


if __name__ == "__main__":
    main()
