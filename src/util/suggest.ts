/** "Did you mean" suggestions for typos in keys and enum values. */
export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      const cost = a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

export function closestMatch(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(input, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const tolerance = Math.max(2, Math.floor(input.length / 3));
  if (best !== undefined && bestDistance <= tolerance) return best;
  const prefixed = candidates.find((candidate) => candidate.startsWith(input) || input.startsWith(candidate));
  if (prefixed) return prefixed;
  // Word-level match: "jwt-lifetime" → "jwt-short-lifetime" (every word of the input appears).
  const words = input.toLowerCase().split(/[-_.:\s]+/).filter(Boolean);
  if (words.length < 2) return undefined;
  return candidates.find((candidate) => {
    const candidateWords = candidate.toLowerCase().split(/[-_.:\s]+/);
    return words.every((word) => candidateWords.includes(word));
  });
}
