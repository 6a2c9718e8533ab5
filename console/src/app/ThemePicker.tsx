import {
  chooseTheme,
  isThemeChoice,
  THEME_CHOICES,
  type ThemeChoice,
  useThemeChoice,
} from "../components/theme";

const NAMES: Record<ThemeChoice, string> = { system: "System", light: "Light", dark: "Dark" };

/** Light, dark, or as the system says: kept in the browser for later visits. */
export function ThemePicker() {
  const choice = useThemeChoice();
  return (
    <label>
      Theme{" "}
      <select
        value={choice}
        onChange={(event) => {
          if (isThemeChoice(event.target.value)) chooseTheme(event.target.value);
        }}
      >
        {THEME_CHOICES.map((c) => (
          <option key={c} value={c}>
            {NAMES[c]}
          </option>
        ))}
      </select>
    </label>
  );
}
