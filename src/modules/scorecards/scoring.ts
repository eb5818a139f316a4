/**
 * Scorecard arithmetic (pure): each criterion's answer becomes a fraction (yes 1, no 0; a 1-5
 * scale (v - 1) / 4; points v / max_points), weighted; the call's score is 100 x the weighted sum
 * over the weight of the criteria answered, two decimals. A criterion linked to an indicator and
 * not answered is pre-filled with the call's indicator score / 100; one neither answered nor
 * pre-filled does not count.
 */
export interface Criterion {
  key: string;
  label: string;
  type: 'yes_no' | 'scale' | 'points';
  weight: number;
  max_points?: number | undefined;
  indicator_id?: number | undefined;
}

export interface Section {
  section_name: string;
  criteria: Criterion[];
}

export type Answer = boolean | number;

/** Why an answer does not fit its criterion, or undefined when it does. */
export function answerProblem(criterion: Criterion, answer: Answer): string | undefined {
  if (criterion.type === 'yes_no')
    return typeof answer === 'boolean' ? undefined : `${criterion.key} takes true or false`;
  if (criterion.type === 'scale')
    return Number.isInteger(answer) && (answer as number) >= 1 && (answer as number) <= 5
      ? undefined
      : `${criterion.key} takes 1 to 5`;
  return typeof answer === 'number' && answer >= 0 && answer <= (criterion.max_points ?? 0)
    ? undefined
    : `${criterion.key} takes 0 to ${criterion.max_points ?? 0} points`;
}

function fraction(criterion: Criterion, answer: Answer): number {
  if (criterion.type === 'yes_no') return answer === true ? 1 : 0;
  if (criterion.type === 'scale') return ((answer as number) - 1) / 4;
  return (answer as number) / (criterion.max_points ?? 1);
}

export function scorecardScore(
  sections: readonly Section[],
  answers: Readonly<Record<string, Answer>>,
  indicatorScores: Readonly<Record<number, number>> = {},
): { score: number; prefilled: string[] } {
  let weighted = 0;
  let weights = 0;
  const prefilled: string[] = [];
  for (const criterion of sections.flatMap((section) => section.criteria)) {
    const answer = answers[criterion.key];
    let value: number | undefined;
    if (answer !== undefined) value = fraction(criterion, answer);
    else if (criterion.indicator_id !== undefined && indicatorScores[criterion.indicator_id] !== undefined) {
      value = (indicatorScores[criterion.indicator_id] as number) / 100;
      prefilled.push(criterion.key);
    }
    if (value === undefined) continue;
    weighted += value * criterion.weight;
    weights += criterion.weight;
  }
  return { score: weights === 0 ? 0 : Math.round((weighted / weights) * 10_000) / 100, prefilled };
}
