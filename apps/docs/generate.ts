import { join } from "node:path";
import { renderEventsDoc } from "./events-doc.ts";

/** `bun run docs`: writes docs/events.md from the event catalogue, the roster and the template. */
const repository = join(import.meta.dir, "..", "..");
export const eventsDocPath = join(repository, "docs", "events.md");
const templatePath = join(import.meta.dir, "events.template.md");

export async function renderEventsDocFromTemplate(): Promise<string> {
  return renderEventsDoc(await Bun.file(templatePath).text());
}

if (import.meta.main) {
  const text = await renderEventsDocFromTemplate();
  const before = await Bun.file(eventsDocPath).text().catch(() => "");
  await Bun.write(eventsDocPath, text);
  console.log(`docs/events.md ${before === text ? "is up to date" : "regenerated"}`);
}
