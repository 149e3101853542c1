// Swaps workspace entries for symlinks to the outside as fast as it can, for `ms` milliseconds:
//   <ws>/d  (a directory)  <->  a symlink to <outside>            (an intermediate path component)
//   <ws>/g  (a file)       <->  a symlink to <outside>/canary.txt  (the final component)
// Prints the number of completed swap rounds. The tools under test write concurrently (a write
// may create a missing directory or replace the planted link), so each round first repairs the
// layout: the real entry back in place, the attacking symlink ready beside it.
import fs from "node:fs";

const [ws, outside, ms] = process.argv.slice(2);
const targets = { d: outside, g: `${outside}/canary.txt` };
const isLink = (path) => {
  try {
    return fs.lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
};
const exists = (path) => isLink(path) || fs.existsSync(path);

function repair(name) {
  const path = `${ws}/${name}`;
  if (exists(`${path}.real`)) {
    fs.rmSync(path, { recursive: true, force: true });
    fs.renameSync(`${path}.real`, path);
  }
  if (!isLink(`${path}.link`)) {
    fs.rmSync(`${path}.link`, { recursive: true, force: true });
    fs.symlinkSync(targets[name], `${path}.link`);
  }
}

function swap(name) {
  const path = `${ws}/${name}`;
  fs.renameSync(path, `${path}.real`);
  fs.renameSync(`${path}.link`, path); // now <name> leads outside
  fs.renameSync(path, `${path}.link`);
  fs.renameSync(`${path}.real`, path);
}

const end = Date.now() + Number(ms);
let rounds = 0;
while (Date.now() < end) {
  try {
    repair("d");
    repair("g");
    swap("d");
    swap("g");
    rounds++;
  } catch {
    // A concurrent write got in between; the next round repairs and goes on.
  }
}
for (const name of ["d", "g"]) {
  try {
    repair(name);
  } catch {
    // best effort
  }
}
process.stdout.write(String(rounds));
