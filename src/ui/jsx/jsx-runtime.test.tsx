import { describe, expect, it } from "vitest";
import { raw, render } from "./jsx-runtime.ts";

describe("JSX to HTML", () => {
  it("escapes text and attributes", () => {
    const evil = `"><script>alert(1)</script>`;
    expect(render(<p title={evil}>{evil}</p>)).toBe(
      '<p title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</p>',
    );
  });

  it("leaves out false and null attributes and children, keeps true ones bare", () => {
    expect(render(<input required={true} disabled={false} value={undefined} />)).toBe("<input required>");
    expect(
      render(
        <div>
          {null}
          {false}
          {0}
        </div>,
      ),
    ).toBe("<div>0</div>");
  });

  it("passes raw HTML only when asked", () => {
    expect(render(<div>{raw("<b>gras</b>")}</div>)).toBe("<div><b>gras</b></div>");
  });
});
