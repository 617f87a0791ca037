import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "./styles.css";
import { useRoute, href } from "./router";
import { MachineList } from "./machines";
import { MachinePage } from "./machine";
import { ExecutionPage } from "./execution";
import { ActivitiesPage } from "./activities";
import { TriggersPage } from "./triggers";
import { warmUp } from "./layout";

function App() {
  const route = useRoute();
  const [section, id, sub] = route.parts;
  let page;
  let current = "machines";
  if (section === "executions" && id) {
    page = <ExecutionPage key={id} arn={id} query={route.query} />;
  } else if (section === "machines" && id) {
    page = <MachinePage key={id === "new" ? `new:${route.query.get("template")}` : id} arn={id} tab={sub ?? (id === "new" ? "design" : "executions")} query={route.query} />;
  } else if (section === "activities") {
    current = "activities";
    page = <ActivitiesPage selected={id} />;
  } else if (section === "triggers") {
    current = "triggers";
    page = <TriggersPage tab={id} />;
  } else {
    page = <MachineList />;
  }
  return (
    <div className="app">
      <header className="topbar">
        <a className="brand" href={href(["machines"])}>
          <span className="brand-mark" aria-hidden>
            B
          </span>{" "}
          Baton
        </a>
        <nav aria-label="Sections">
          <a href={href(["machines"])} aria-current={current === "machines" ? "page" : undefined}>
            State machines
          </a>
          <a href={href(["activities"])} aria-current={current === "activities" ? "page" : undefined}>
            Activities
          </a>
          <a href={href(["triggers"])} aria-current={current === "triggers" ? "page" : undefined}>
            Triggers
          </a>
        </nav>
        <span className="topbar-note">{window.location.host}</span>
      </header>
      <main className="content">{page}</main>
    </div>
  );
}

warmUp();
createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
