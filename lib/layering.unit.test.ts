import { expect, test } from "bun:test";
import { Glob } from "bun";
import { dirname, join, normalize, relative } from "node:path";

/**
 * The ground floor stays level: lib/ imports nothing from apps/, and code outside a lib folder
 * enters it through its index.ts only (the folder's public surface), so a folder can reorganise
 * its files without touching its users.
 */
const root = join(import.meta.dir, "..");
const sources = [...new Glob("{apps,lib,bench,scripts}/**/*.ts").scanSync({ cwd: root })].filter((file) => !file.includes("node_modules"));
const importsOf = async (file: string) =>
  [...(await Bun.file(join(root, file)).text()).matchAll(/(?:from|import)\s*\(?\s*"(\.[^"]+)"/g)].map((m) => normalize(join(dirname(file), m[1]!)));
const libFolderOf = (path: string) => (path.startsWith("lib/") && path.split("/").length > 2 ? path.split("/").slice(0, 2).join("/") : undefined);

test("lib/ imports nothing from apps/", async () => {
  const offending: string[] = [];
  for (const file of sources.filter((f) => f.startsWith("lib/"))) {
    for (const target of await importsOf(file)) if (target.startsWith("apps/")) offending.push(`${file} → ${target}`);
  }
  expect(offending).toEqual([]);
});

test("a lib folder is entered through its index.ts", async () => {
  const offending: string[] = [];
  for (const file of sources) {
    for (const target of await importsOf(file)) {
      const folder = libFolderOf(target);
      if (!folder || libFolderOf(file) === folder || target === `${folder}/index.ts`) continue;
      offending.push(`${file} → ${relative(root, join(root, target))}`);
    }
  }
  expect(offending).toEqual([]);
});
