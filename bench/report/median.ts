/** The median of the values that were measured (nulls skipped); null when none were. */
export function median (values: ReadonlyArray<number | null | undefined>): number | null {
  const numbers = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b)
  if (numbers.length === 0) return null
  const mid = numbers.length >> 1
  return numbers.length % 2 === 1 ? numbers[mid] : (numbers[mid - 1] + numbers[mid]) / 2
}
