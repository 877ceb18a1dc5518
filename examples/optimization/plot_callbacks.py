"""
================================
Watching training with callbacks
================================

scikit-learn 1.9 added callbacks (:mod:`sklearn.callback`, experimental): objects
an estimator calls as its fit goes, to show progress, record scores or stop
early. :class:`~sklinear.SoftmaxClassifier` and
:class:`~sklinear.SVMLinearClassifier` report their fit as a task, and each
epoch of minibatch SGD as a subtask of it named ``"epoch"``, with the model as
it stands at the end of that epoch. This example records a score per epoch with
:class:`~sklearn.callback.ScoringMonitor`, writes a callback of its own that
keeps the best epoch on held-out images and stops training, and shows where a
:class:`~sklearn.callback.ProgressBar` goes when the classifier sits in a
:class:`~sklearn.pipeline.Pipeline` or a
:class:`~sklearn.model_selection.GridSearchCV`.

Callbacks need scikit-learn 1.9 or newer; :class:`~sklearn.callback.ProgressBar`
also needs `rich <https://rich.readthedocs.io>`_, which the ``progress`` extra
installs (``pip install ".[progress]"`` from a clone of sklinear).
"""

# %%
# The data
# --------
#
# scikit-learn's 8x8 digits, split into training, validation and test images.
import matplotlib.pyplot as plt
from sklearn.callback import ProgressBar, ScoringMonitor
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklinear import SoftmaxClassifier, SVMLinearClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
X_train, X_val, y_train, y_val = train_test_split(
    X_train, y_train, test_size=0.2, stratify=y_train, random_state=0
)
scaler = StandardScaler().fit(X_train)
S_train, S_val, S_test = (scaler.transform(part) for part in (X_train, X_val, X_test))
print(f"{len(X_train)} training, {len(X_val)} validation, {len(X_test)} test images")

# %%
# A score per epoch
# -----------------
#
# :class:`~sklearn.callback.ScoringMonitor` scores the model of each epoch on
# the data the estimator is fitted on. ``get_logs().data`` holds one row per
# task it scored: the whole fit (``task_id_path`` ``(0,)``), then each epoch
# (``(0, k)`` for the epoch ``k``, from 0).
monitor = ScoringMonitor(scoring="accuracy")
watched = SoftmaxClassifier(alpha=1e-3, max_iter=30, tol=None, random_state=0)
watched.set_callbacks(monitor).fit(S_train, y_train)
rows = monitor.get_logs().data
training_accuracy = [row["accuracy"] for row in rows if row["task_name"] == "epoch"]
print(f"{len(training_accuracy)} epochs scored; training accuracy "
      f"{training_accuracy[0]:.3f} after the first, {training_accuracy[-1]:.3f} "
      f"after the last, {rows[0]['accuracy']:.3f} for the fitted model")

# %%
# A callback of one's own
# -----------------------
#
# A callback is any object with the four methods below. ``on_fit_task_end``
# is called at the end of each task: asking for ``fitted_estimator`` gets a
# copy of the classifier with the weights of that epoch, ready to predict, and
# returning True stops training after that epoch (``stop_reason_`` is then
# ``"callback"``). This one scores each epoch's model on the validation
# images, keeps the best, and stops once ``patience`` epochs in a row have not
# beaten it: early stopping as a policy of its own, on images held out by the
# caller.


class BestOnValidation:
    """Keep the model of the epoch most accurate on ``(X, y)``; stop training
    after ``patience`` epochs without a better one."""

    def __init__(self, X, y, patience=5):
        self.X, self.y, self.patience = X, y, patience

    def setup(self, estimator, context):
        self.scores, self.best_epoch, self.best_model = [], None, None

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        # The last "epoch" task begun is closed without a model: training
        # ended before it ran.
        if context.task_name != "epoch" or fitted_estimator is None:
            return False
        self.scores.append(fitted_estimator.score(self.X, self.y))
        if self.best_epoch is None or self.scores[-1] > self.scores[self.best_epoch]:
            self.best_epoch, self.best_model = context.task_id, fitted_estimator
        return context.task_id - self.best_epoch >= self.patience

    def teardown(self, estimator, context):
        pass


best = BestOnValidation(S_val, y_val)
clf = SoftmaxClassifier(alpha=1e-3, max_iter=100, tol=None, random_state=0)
clf.set_callbacks(best).fit(S_train, y_train)
print(f"stopped after epoch {clf.n_iter_} ({clf.stop_reason_!r}); best validation "
      f"accuracy {best.scores[best.best_epoch]:.3f}, after epoch "
      f"{best.best_epoch + 1}")
print(f"test accuracy of the best epoch's model "
      f"{best.best_model.score(S_test, y_test):.3f}, of the last epoch's "
      f"{clf.score(S_test, y_test):.3f}")

# %%
# Both classifiers train alike (same data, same ``random_state``; a callback
# changes nothing of the training): the second one is the first, stopped by
# its callback. The training objective falls epoch after epoch, and the
# training accuracy climbs towards 1, while the accuracy on the validation
# images levels off after about ten epochs: what the model still learns then
# is mostly the training images themselves.
fig, (ax_loss, ax_accuracy) = plt.subplots(1, 2, figsize=(11, 4))
epochs = range(1, len(training_accuracy) + 1)
ax_loss.plot(epochs, watched.loss_curve_, "o-", markersize=3)
ax_loss.set(xlabel="epoch", ylabel="training objective", yscale="log",
            title="loss_curve_")
ax_accuracy.plot(epochs, training_accuracy, "o-", markersize=3,
                 label="training images (ScoringMonitor)")
ax_accuracy.plot(range(1, len(best.scores) + 1), best.scores, "s-", markersize=3,
                 label="validation images (BestOnValidation)")
ax_accuracy.axvline(best.best_epoch + 1, color="grey", linestyle=":",
                    label="best validation epoch")
ax_accuracy.set(xlabel="epoch", ylabel="accuracy", title="Accuracy per epoch")
ax_accuracy.legend()
fig.tight_layout()

# %%
# In a pipeline and in a grid search
# ----------------------------------
#
# :class:`~sklearn.callback.ProgressBar` is an *auto-propagated* callback: it
# is set on the outermost estimator, which hands it down to the estimators it
# fits, up to ``max_propagation_depth`` levels of nesting (1 by default). Set
# on a classifier inside a pipeline, the pipeline refuses it when it is
# fitted:
try:
    make_pipeline(
        StandardScaler(), SVMLinearClassifier().set_callbacks(ProgressBar())
    ).fit(X_train, y_train)
except TypeError as error:
    print(error)

# %%
# So it goes on the pipeline, which shows a bar for each of its steps, and
# one for the epochs of the classifier. (In a terminal the bars move as
# training goes; here they are shown as they ended.)
pipe = make_pipeline(StandardScaler(), SVMLinearClassifier(random_state=0))
pipe.set_callbacks(ProgressBar()).fit(X_train, y_train)
pipe.set_callbacks()  # removes it

# %%
# On a grid search, ``max_propagation_depth=2`` reaches the classifier inside
# the pipeline inside the search: a bar per candidate and fold, and one per fit
# of each step.
search = GridSearchCV(pipe, {"svmlinearclassifier__alpha": [1e-4, 1e-2]}, cv=2)
search.set_callbacks(ProgressBar(max_propagation_depth=2)).fit(X_train, y_train)
print(f"best alpha {search.best_params_['svmlinearclassifier__alpha']:g}, "
      f"test accuracy {search.score(X_test, y_test):.3f}")

# %%
# Callbacks that are not auto-propagated, such as
# :class:`~sklearn.callback.ScoringMonitor` or ``BestOnValidation`` above, go
# on the classifier itself, even inside a pipeline or a search: there they
# see the features that reach the classifier, and every fit of it (the search
# clones the classifier with its callbacks, one fit per candidate and fold,
# and one more to refit the best).
#
# Conclusion
# ----------
#
# ``loss_curve_`` tells how training went once it is over; callbacks tell it
# while it goes, epoch by epoch, and can act on it. sklinear's classifiers
# report each epoch with the model it ended with, so any score can be
# followed, any model kept and any stopping rule written as a small object,
# outside the training loop.

plt.show()
