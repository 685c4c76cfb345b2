// Binary classification metrics with scikit-learn's definitions; class 1 is the positive class.

function checkLengths(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length || a.length === 0) throw new Error(`metrics: ${a.length} labels and ${b.length} predictions`);
}

export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkLengths(yTrue, yPred);
  let hit = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hit++;
  return hit / yTrue.length;
}

/** F1 of class 1; 0 when there are no true and no predicted positives (sklearn's zero_division=0). */
export function f1Score(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkLengths(yTrue, yPred);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < yTrue.length; i++) {
    if (yPred[i] === 1 && yTrue[i] === 1) tp++;
    else if (yPred[i] === 1) fp++;
    else if (yTrue[i] === 1) fn++;
  }
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}

/** Area under the ROC curve: the Mann-Whitney statistic, ties counted one half. */
export function rocAuc(yTrue: ArrayLike<number>, scores: ArrayLike<number>): number {
  checkLengths(yTrue, scores);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSumPos = 0;
  let positives = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]!] === scores[order[start]!]) end++;
    const midRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (yTrue[order[k]!] === 1) {
        rankSumPos += midRank;
        positives++;
      }
    }
    start = end + 1;
  }
  const negatives = yTrue.length - positives;
  if (positives === 0 || negatives === 0) throw new Error('metrics: ROC-AUC needs both classes');
  return (rankSumPos - (positives * (positives + 1)) / 2) / (positives * negatives);
}
