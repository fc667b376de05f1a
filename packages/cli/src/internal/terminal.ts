/** Whether standard output shows colours: a terminal, without `NO_COLOR` (non-empty) or `TERM=dumb`. */
export const colorful = (): boolean =>
  process.stdout.isTTY === true && (process.env.NO_COLOR ?? "") === "" && process.env.TERM !== "dumb"
